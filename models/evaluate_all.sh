#!/usr/bin/env bash
# Re-run `stimmung eval sentiment` on every validation file in ../shared/eval and print
# a markdown table (the figures in models/stimmung_sentiment/MODEL_CARD.md come from it).
# GermEval dev is trained on by both bundled models (stimmung-sentiment 1.1, the
# multilingual head 1.1): its row here is in-sample and marked so; the cards quote the
# cross-validated figure (models/stimmung_sentiment/germeval_oof.py, head.py).
# Usage: models/evaluate_all.sh [MODEL] [EVAL_DIR]     (MODEL default: stimmung-sentiment)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
model="${1:-stimmung-sentiment}"
eval_dir="${2:-$repo/../shared/eval}"
py="${PYTHON:-$repo/.venv/bin/python}"
[ -x "$py" ] || py=python3
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for f in "$eval_dir"/*.tsv; do
  case "$(basename "$f")" in *aspects*) continue ;; esac
  printf '%s\t' "$(basename "$f" .tsv)" >>"$out"
  (cd "$repo" && "$py" -m pipeline.cli eval sentiment --input "$f" --model "$model" | tail -n 1) >>"$out"
done
langs=()
for f in "$eval_dir"/umsab_*_val.tsv; do
  case "$f" in *_hi_*) continue ;; esac
  langs+=(--input "$f")
done
lang_json="$(cd "$repo" && "$py" -m pipeline.cli eval language "${langs[@]}" | tail -n 1)"
"$py" - "$out" "$lang_json" <<'PY'
import json, sys
rows = [line.split("\t", 1) for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
first = json.loads(rows[0][1])
print(f"model: {first['model']}\n")
print("| file | n | macro-F1 | accuracy | F1 neg | F1 neu | F1 pos | posts/s |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name, js in rows:
    r = json.loads(js)
    c = r["per_class_f1"]
    if name.startswith("germeval"):
        name += " (in-sample: trained on)"
    print(f"| {name} | {r['n']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | "
          f"{c['negative']:.3f} | {c['neutral']:.3f} | {c['positive']:.3f} | {r['posts_per_s']:.0f} |")
lang = json.loads(sys.argv[2])
print(f"\nlanguage id on umsab_*_val without hi: accuracy {lang['accuracy']:.4f} "
      f"(n={lang['n']}, {lang['posts_per_s']:.0f} posts/s)")
print("| lang | accuracy |\n| --- | ---: |")
for k, v in lang["per_lang_accuracy"].items():
    print(f"| {k} | {v:.4f} |")
PY
