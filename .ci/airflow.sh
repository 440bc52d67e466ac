#!/usr/bin/env bash
# `make airflow`: Airflow standalone (127.0.0.1:8080) running the stimmung DAGs on the demo
# data, green out of the box. Everything it writes is under $AIRFLOW_HOME (build/airflow):
# the demo feeds (served on 127.0.0.1:$DEMO_PORT while Airflow runs), a config pointing at
# them, the SQLite warehouse, a generated pseudonym key (mode 600) and Airflow's own files.
# With AIRFLOW_SETUP_ONLY=1 it prepares all that, prints the environment and exits.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.venv/bin"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/build/airflow}"
DEMO_PORT="${DEMO_PORT:-8781}"
mkdir -p "$AIRFLOW_HOME"

key_file="$AIRFLOW_HOME/pseudonym-key"
if [ ! -s "$key_file" ]; then
  (umask 077 && "$BIN/python" -c 'import secrets; print(secrets.token_hex(32))' > "$key_file")
fi
export STIMMUNG_PSEUDONYM_KEY="$(cat "$key_file")"
export STIMMUNG_CONFIG="$AIRFLOW_HOME/stimmung.yaml"

# the demo corpus and a config whose sources are its feeds (served below) and JSONL file
"$BIN/python" - "$AIRFLOW_HOME" "$DEMO_PORT" <<'PY'
import sys
from pathlib import Path

import yaml

from pipeline.demo.corpus import write_demo_data
from pipeline.demo.run import demo_config

home, port = Path(sys.argv[1]), sys.argv[2]
data = home / "demo-data"
manifest = write_demo_data(data)
config = demo_config(manifest, f"http://127.0.0.1:{port}", data.resolve())
config["report"]["output_dir"] = "reports"
(home / "stimmung.yaml").write_text(
    "# written by `make airflow`: the demo feeds on a local server, SQLite next to this file\n"
    + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
PY
"$BIN/stimmung" db upgrade --config "$STIMMUNG_CONFIG"   # migrations: once, before the DAGs

export AIRFLOW__CORE__DAGS_FOLDER="$PWD/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__CORE__PARALLELISM=4
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG=4
export PATH="$BIN:$PATH"
"$BIN/airflow" db migrate >/dev/null
for kind in feed file reddit discourse html; do
  slots=$([ "$kind" = reddit ] && echo 1 || echo 2)
  "$BIN/airflow" pools set "stimmung_$kind" "$slots" "stimmung $kind sources" >/dev/null
done

if [ "${AIRFLOW_SETUP_ONLY:-}" = 1 ]; then
  echo "AIRFLOW_HOME=$AIRFLOW_HOME STIMMUNG_CONFIG=$STIMMUNG_CONFIG (demo feeds on :$DEMO_PORT)"
  exit 0
fi

"$BIN/python" -c '
import signal, sys
from pathlib import Path
from pipeline.demo.server import serve_directory
with serve_directory(Path(sys.argv[1]), port=int(sys.argv[2])):
    signal.pause()
' "$AIRFLOW_HOME/demo-data" "$DEMO_PORT" &
feeds=$!
"$BIN/airflow" standalone &
airflow_pid=$!
trap 'kill "$feeds" "$airflow_pid" 2>/dev/null || true' EXIT INT TERM
# unpause once the API answers (tasks queued while it starts would fail their first try)
for _ in $(seq 1 90); do
  "$BIN/python" -c 'import sys, urllib.request as u; u.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:8080/api/v2/monitor/health" 2>/dev/null && break
  sleep 2
done
for dag in stimmung_collect stimmung_analyze stimmung_reputation stimmung_report; do
  for _ in $(seq 1 60); do
    "$BIN/airflow" dags unpause "$dag" >/dev/null 2>&1 && break
    sleep 2
  done
done
echo "demo feeds on http://127.0.0.1:$DEMO_PORT; warehouse and reports under $AIRFLOW_HOME"
echo "Airflow UI: http://127.0.0.1:8080  (user admin, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated)"
wait "$airflow_pid"
