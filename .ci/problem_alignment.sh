#!/usr/bin/env bash
# The German -> English word table that lets German and English posts about one problem form
# one problem (models/problem_alignment/de_en.tsv.gz). It is derived from FreeDict (GPL), so it
# is built on this machine from Debian's dict-freedict-deu-eng and never shipped. Installs the
# package when it is missing and we are root; without it problems keep the languages apart
# (the `hashed` encoder) and the run says so.
set -uo pipefail
cd "$(dirname "$0")/.."
out=models/problem_alignment/de_en.tsv.gz
index=/usr/share/dictd/freedict-deu-eng.index
[ -s "$out" ] && exit 0
if [ ! -f "$index" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing dict-freedict-deu-eng (Debian package) for cross-lingual problems..."
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-deu-eng; } >/dev/null
fi
if [ -f "$index" ]; then
  .venv/bin/python models/problem_alignment/build.py --out "$out"
else
  echo "note: no dict-freedict-deu-eng ('sudo apt-get install dict-freedict-deu-eng', then 'make problem-alignment'); problems keep German and English apart" >&2
fi
exit 0
