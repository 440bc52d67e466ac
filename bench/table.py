"""The README's benchmark table from `bench/run.py` results (one or more JSON files).

    python bench/table.py build/bench/results.json [more.json ...]

Prints a Markdown table (one row per run, then the pandas + VADER baseline and the bulk
load rates) and, per profile and backend, how posts/s at the largest size compares with
10k (issue 13's linearity bar: within 1.3x).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

STAGES_SHOWN = 3


def _size(posts: int) -> str:
    return f"{posts // 1_000_000}M" if posts >= 1_000_000 else f"{posts // 1000}k"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _top_stages(stages: dict[str, float]) -> str:
    top = sorted(((v, k) for k, v in stages.items() if "." not in k), reverse=True)
    return ", ".join(f"{k} {v:,.1f}" for v, k in top[:STAGES_SHOWN])


def run_rows(runs: Iterable[dict[str, Any]]) -> list[str]:
    rows = []
    for r in sorted(runs, key=lambda r: (r["profile"] != "fast", r["backend"], r["posts"])):
        name = f"{_size(r['posts'])}, {r['backend']}, {r['profile']}"
        if r.get("returncode", 0) != 0 or "error" in r:
            rows.append(f"| {name} | failed | | | | | {str(r.get('error', ''))[:80]} |")
            continue
        notes = _top_stages(r.get("stages_s", {}))
        if "append_one_post_s" in r:
            notes += f"; one appended post {r['append_one_post_s']:.1f} s"
        rows.append(
            f"| {name} | {_num(r['posts_per_s'])} | {_num(r.get('posts_per_cpu_s'))} "
            f"| {_num(r.get('peak_rss_mib'))} MiB | {_num(r.get('peak_tree_pss_mib'))} MiB "
            f"| {r.get('load_avg', '–')} | {notes} |")
    return rows


def linearity(runs: Iterable[dict[str, Any]]) -> list[str]:
    """posts/s at 10k over posts/s at the largest size, per profile and backend."""
    by_key: dict[tuple[str, str], dict[int, float]] = {}
    for r in runs:
        if r.get("returncode", 0) == 0 and "error" not in r:
            by_key.setdefault((r["profile"], r["backend"]), {})[r["posts"]] = r["posts_per_s"]
    out = []
    for (profile, backend), rates in sorted(by_key.items()):
        big = max(rates)
        if 10_000 in rates and big > 10_000:
            ratio = rates[10_000] / rates[big]
            verdict = "linear" if ratio <= 1.3 else "NOT linear"
            out.append(f"- {profile}, {backend}: 10k {rates[10_000]:,.0f} posts/s, "
                       f"{_size(big)} {rates[big]:,.0f}: ratio {ratio:.2f} ({verdict}, bar 1.3)")
    return out


def render(reports: list[dict[str, Any]]) -> str:
    runs = [r for rep in reports for r in rep.get("runs", [])]
    lines = [f"Measured {', '.join(sorted({rep['date'] for rep in reports}))}.", "",
             "| run | posts/s (wall) | posts per CPU-s | peak RSS | tree PSS | load | "
             "largest stages (s) |",
             "| --- | ---: | ---: | ---: | ---: | ---: | --- |", *run_rows(runs)]
    for base in (b for rep in reports for b in rep.get("baseline", [])):
        lines.append(f"| {_size(base['posts'])}, {base['pipeline']} "
                     f"| {_num(base['posts_per_s'])} | {_num(base.get('posts_per_cpu_s'))} "
                     f"| {_num(base.get('peak_rss_mib'))} MiB "
                     "| – | – | English-only lexicon; no language id, dedup, brands, problems |")
    loads = [ld for rep in reports for ld in rep.get("load", [])]
    if loads:
        lines += ["", "Bulk load of mention rows (batches of 1,000; rows/s):", ""]
        for ld in loads:
            lines.append(f"- {ld['backend']}: stimmung {_num(ld['stimmung_upsert_rows_per_s'])} "
                         f"(re-load {_num(ld['stimmung_upsert_rerun_rows_per_s'])}), executemany "
                         f"ON CONFLICT {_num(ld['executemany_on_conflict_rows_per_s'])}")
    lin = linearity(runs)
    if lin:
        lines += ["", "Linearity (posts/s at 10k over posts/s at the largest size):", "", *lin]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=Path, nargs="+")
    args = parser.parse_args(argv)
    print(render([json.loads(p.read_text(encoding="utf-8")) for p in args.results]))


if __name__ == "__main__":
    main()
