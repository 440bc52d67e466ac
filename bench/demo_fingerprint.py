"""Fingerprint of the demo warehouse: row counts and content hashes per table.

Runs ``stimmung demo`` into a fresh directory (or reads an existing warehouse with
``--db``) and prints JSON. Columns that change from run to run (run ids, wall-clock
times, durations) are left out, so two runs of the same code give the same fingerprint
and a refactoring that changes what the demo stores shows up as a differing table.

    python bench/demo_fingerprint.py > before.json
    python bench/demo_fingerprint.py --compare before.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

# Whole tables about the run itself rather than its results.
VOLATILE_TABLES = {"run", "source_run", "alembic_version"}
# Columns holding wall-clock times, durations or run ids.
VOLATILE_COLUMN = re.compile(
    r"(^|_)(run_id|duration_s|stats)$|_at$|^(fetched|scored|computed|marked|processed|"
    r"updated|first_seen|last_run|last_success|retry)_"
)
KEEP_TIME_COLUMNS = {"created_at"}  # post times come from the demo corpus...
RUN_TIME_COLUMNS = {("alert", "created_at")}  # ...but an alert's is when it was raised
# Inside values: the demo servers' ports, the temporary workdir, HTTP dates of the run.
VOLATILE_TEXT = [
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"/[^\s\"']*stimmung-fp-[^/\s\"']+"), "WORKDIR"),
    (re.compile(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT"), "HTTP-DATE"),
]


def run_demo(workdir: Path) -> Path:
    stimmung = Path(sys.executable).with_name("stimmung")
    # a fixed key, so two runs give the same pseudonyms
    env = {**os.environ, "STIMMUNG_PSEUDONYM_KEY": "demo-fingerprint-key-not-a-secret"}
    subprocess.run([str(stimmung), "demo", "--workdir", str(workdir)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    dbs = sorted(workdir.rglob("*.db"))
    if not dbs:
        raise SystemExit(f"no SQLite warehouse under {workdir}")
    return dbs[0]


def stable_columns(con: sqlite3.Connection, table: str) -> list[str]:
    names = [row[1] for row in con.execute(f'PRAGMA table_info("{table}")')]
    return [n for n in names if (table, n) not in RUN_TIME_COLUMNS
            and (n in KEEP_TIME_COLUMNS or not VOLATILE_COLUMN.search(n))]


def normalised(row: tuple[object, ...]) -> str:
    text = repr(row)
    for pattern, placeholder in VOLATILE_TEXT:
        text = pattern.sub(placeholder, text)
    return text


def fingerprint(db: Path) -> dict[str, dict[str, object]]:
    con = sqlite3.connect(db)
    tables = [r[0] for r in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    out: dict[str, dict[str, object]] = {}
    for table in tables:
        if table in VOLATILE_TABLES or table.startswith("sqlite_"):
            continue
        cols = stable_columns(con, table)
        select = ", ".join(f'"{c}"' for c in cols)
        rows = sorted(normalised(row) for row in con.execute(f'SELECT {select} FROM "{table}"'))
        digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
        out[table] = {"rows": len(rows), "sha256": digest, "columns": cols}
    con.close()
    return out


def compare(now: dict[str, dict[str, object]], before: dict[str, dict[str, object]]) -> int:
    differ = 0
    for table in sorted(set(now) | set(before)):
        a, b = before.get(table), now.get(table)
        if a is None or b is None:
            print(f"{table}: {'new' if a is None else 'gone'}")
            differ += 1
        elif (a["rows"], a["sha256"], a["columns"]) != (b["rows"], b["sha256"], b["columns"]):
            print(f"{table}: rows {a['rows']} -> {b['rows']}, hash {a['sha256']} -> {b['sha256']}")
            differ += 1
    print("identical" if not differ else f"{differ} table(s) differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="fingerprint this SQLite warehouse instead")
    parser.add_argument("--compare", type=Path, help="a fingerprint JSON to compare with")
    parser.add_argument("--keep", type=Path, help="copy the demo warehouse here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stimmung-fp-") as tmp:
        db = args.db or run_demo(Path(tmp) / "demo")
        now = fingerprint(db)
        if args.keep:
            shutil.copy(db, args.keep)
    if args.compare:
        return compare(now, json.loads(args.compare.read_text()))
    print(json.dumps(now, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
