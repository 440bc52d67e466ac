#!/usr/bin/env bash
# Create or reuse .venv for a set of extras. The venv is reused while pyproject.toml is
# unchanged; with VENV_CACHE set, .venv links to $VENV_CACHE/<hash of pyproject.toml>,
# so fresh clones (CI) reuse an earlier install.
set -euo pipefail
extras="${1:-}"
cd "$(dirname "$0")/.."
py="${PYTHON:-python3}"
hash=$(sha256sum pyproject.toml | cut -c1-16)

if [ -n "${VENV_CACHE:-}" ] && { [ ! -e .venv ] || [ -L .venv ]; }; then
  mkdir -p "$VENV_CACHE"
  [ -x "$VENV_CACHE/$hash/bin/python" ] || "$py" -m venv "$VENV_CACHE/$hash"
  ln -sfn "$VENV_CACHE/$hash" .venv
fi
[ -x .venv/bin/python ] || "$py" -m venv .venv

quiet_pip() {
  # this machine's pip config names extra indexes that may be absent: drop that noise
  .venv/bin/pip "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }
}

stamp=".venv/.stamp-$hash-${extras:-core}"
have_all=".venv/.stamp-$hash-dev,postgres,reddit,airflow,transformers"
if [ ! -f "$stamp" ] && ! { [ -z "$extras" ] && [ -f "$have_all" ]; }; then
  echo "installing stimmung${extras:+[$extras]} into .venv (once per pyproject.toml change)..."
  quiet_pip install -q --upgrade pip
  # torch first, pinned: its CPU wheel is on disk; unpinned it pulls GBs of CUDA packages
  if [[ "$extras" == *transformers* ]]; then quiet_pip install -q "torch==2.13.0"; fi
  quiet_pip install -q -e ".${extras:+[$extras]}"
  echo "$PWD" > .venv/.src
  touch "$stamp"
fi
# a cached venv may have been installed from another clone: point the package here
if [ "$(cat .venv/.src 2>/dev/null)" != "$PWD" ]; then
  quiet_pip install -q --no-deps -e .
  echo "$PWD" > .venv/.src
fi
