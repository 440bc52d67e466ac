"""End-to-end benchmark of what users run: `stimmung run` on a generated stream.

    python bench/run.py --sizes 10000 100000 [--profiles fast accurate]
                        [--backends sqlite postgresql] [--pg-url postgresql://...]
                        [--append] [--no-baseline] [--no-load] [--out results.json]

For each size the stream (bench/stream.py: the texts of ../shared/datasets, every
language, brands in ~60%, ~30% near-duplicates, 60 days) is written once as JSONL for a
`file` source. Each profile x backend runs `stimmung run` as a child process (process
start, imports, migrations, model loads, collect, analyze, aggregate and alerts all
included) on a fresh warehouse (a temporary SQLite file, or a scratch PostgreSQL schema
dropped afterwards). Reported per run: posts/s (wall), peak RSS of the child
(`wait4` rusage), seconds per stage (`stimmung run --timings`: wall seconds, and CPU
seconds of the main process as `stages_cpu_s`), and, with `--append`,
the seconds of a second run after one post was appended to the file. `--no-load`
skips the bulk-load comparison (mention rows/s: stimmung's upsert against a plain
executemany `INSERT ... ON CONFLICT`). The pandas + VADER + `to_sql` script
(bench/baseline.py) runs on the same file when pandas and vaderSentiment are installed.
Prints one JSON document.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# run as a script, this file's folder comes first on sys.path and would hide `pipeline`
HERE = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(HERE.parent))

from bench.stream import ALIASES, BRANDS, write_stream  # noqa: E402

BUILD = HERE.parent / "build" / "bench"
PG_DEFAULT = os.environ.get("STIMMUNG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _stimmung() -> list[str]:
    script = Path(sys.executable).with_name("stimmung")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline.cli"]


def _descendants(pid: int) -> list[int]:
    """`pid` and every process below it (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    ppid = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _pss_mib(pids: list[int]) -> float:
    """Summed proportional set size (shared pages split between the processes)."""
    total = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup", encoding="ascii") as handle:
                total += next(int(line.split()[1]) for line in handle
                              if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


class _TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its descendants (a run that forks a
    worker uses more memory than the largest single process, which rusage reports)."""

    def __init__(self, pid: int, every: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0.0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.peak = max(self.peak, _pss_mib(_descendants(self.pid)))


def _run_child(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run `cmd`: wall seconds, exit code, output tails, the peak RSS of the largest
    process of the child's tree in MiB (os.wait4 rusage: the child and the descendants
    it waited for) and, on Linux, the peak summed PSS of the whole tree (sampled)."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        sampler = _TreeMemory(proc.pid) if os.path.isdir("/proc/self") else None
        if sampler is not None:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        if sampler is not None:
            sampler.stopped.set()
            sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        return {"wall_s": round(wall, 3), "returncode": proc.returncode,
                "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
                "peak_tree_pss_mib": round(sampler.peak, 1) if sampler else None,
                "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
                "stdout": out.read().decode(errors="replace")[-1500:],
                "stderr": err.read().decode(errors="replace")[-1500:]}


@contextmanager
def warehouse(backend: str, workdir: Path, pg_url: str) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{workdir / 'bench.db'}"
        return
    from pipeline.warehouse.db import scratch_schema

    with scratch_schema(pg_url, prefix="bench") as url:
        yield url


def write_config(workdir: Path, stream: Path, url: str, profile: str) -> Path:
    import yaml

    brands = [{"name": b, "aliases": [a for a in ALIASES[b] if a != b],
               "competitors": [c for c in BRANDS if c != b]} for b in BRANDS]
    config = {"warehouse": {"url": url}, "analysis": {"profile": profile}, "brands": brands,
              "sources": [{"name": "stream", "kind": "file", "options": {"path": str(stream)}}]}
    path = workdir / "stimmung.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def run_one(size: int, stream: Path, backend: str, profile: str, pg_url: str,
            append: bool) -> dict[str, Any]:
    env = {**os.environ, "STIMMUNG_PSEUDONYM_KEY": "bench-key-0123456789abcdef0123"}
    with tempfile.TemporaryDirectory(prefix="stimmung-bench-") as tmp:
        workdir = Path(tmp)
        data = stream
        if append:  # the run appends to the file: work on a copy
            data = workdir / stream.name
            shutil.copyfile(stream, data)
        with warehouse(backend, workdir, pg_url) as url:
            config = write_config(workdir, data, url, profile)
            timings = workdir / "timings.json"
            cmd = [*_stimmung(), "run", "--config", str(config), "--timings", str(timings)]
            child = _run_child(cmd, env)
            result: dict[str, Any] = {
                "posts": size, "backend": backend, "profile": profile,
                "wall_s": child["wall_s"], "returncode": child["returncode"],
                "posts_per_s": round(size / child["wall_s"], 1),
                "peak_rss_mib": child["peak_rss_mib"],
                "peak_tree_pss_mib": child["peak_tree_pss_mib"], "cpu_s": child["cpu_s"],
                "posts_per_cpu_s": round(size / max(child["cpu_s"], 1e-9), 1),
                "load_avg": round(os.getloadavg()[1], 1),  # 5-min: others on the cores
            }
            if child["returncode"] != 0 or not timings.is_file():
                result["error"] = child["stderr"] or child["stdout"]
                return result
            stage_file = json.loads(timings.read_text())
            stages = stage_file["stages"]
            result["stages_s"] = stages
            # CPU seconds per stage of the main process (the enrich worker's are in cpu_s
            # only): on a busy machine these compare where wall seconds do not
            if "cpu_s" in stage_file:
                result["stages_cpu_s"] = stage_file["cpu_s"]
            top = sum(v for k, v in stages.items() if "." not in k)
            result["stages_s"]["process_start_and_imports"] = round(child["wall_s"] - top, 3)
            if append:
                last = json.loads(data.read_text(encoding="utf-8").splitlines()[-1])
                last["id"] = f"appended-{last['id']}"
                last["text"] = "Kaffeekraft app crashed again after the update, appended"
                with data.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps(last) + "\n")
                again = _run_child(cmd, env)
                result["append_one_post_s"] = again["wall_s"]
                result["append_returncode"] = again["returncode"]
                if again["returncode"] != 0:
                    result["append_error"] = again["stderr"][-800:]
                else:
                    result["append_stages_s"] = json.loads(timings.read_text())["stages"]
        return result


def baseline(stream: Path, size: int) -> dict[str, Any] | None:
    try:
        import pandas  # noqa: F401
        import vaderSentiment  # noqa: F401
    except ImportError:
        return None
    with tempfile.TemporaryDirectory(prefix="stimmung-baseline-") as tmp:
        child = _run_child([sys.executable, str(HERE / "baseline.py"), str(stream),
                            str(Path(tmp) / "baseline.db")], dict(os.environ))
    out: dict[str, Any] = {"posts": size, "pipeline": "pandas + VADER + to_sql (SQLite)",
                           "wall_s": child["wall_s"],
                           "posts_per_s": round(size / child["wall_s"], 1),
                           "peak_rss_mib": child["peak_rss_mib"], "cpu_s": child["cpu_s"],
                           "posts_per_cpu_s": round(size / max(child["cpu_s"], 1e-9), 1)}
    if child["returncode"] != 0:
        out["error"] = child["stderr"][-800:]
    return out


def load_rates(backend: str, pg_url: str, rows: int = 100_000,
               batch: int = 1000) -> dict[str, Any]:
    """Mention rows/s: `upsert` (COPY + merge on PostgreSQL) vs executemany ON CONFLICT."""
    from datetime import date

    from sqlalchemy import func, select
    from sqlalchemy.dialects import postgresql, sqlite

    from pipeline.warehouse.db import make_engine, migrate
    from pipeline.warehouse.load import upsert
    from pipeline.warehouse.schema import mention

    data = [{"post_id": f"p{i:09d}", "brand": BRANDS[i % 3], "day": date(2026, 1, 1 + i % 28),
             "matched": [BRANDS[i % 3]]} for i in range(rows)]
    out: dict[str, Any] = {"backend": backend, "rows": rows, "batch": batch}
    with (tempfile.TemporaryDirectory(prefix="stimmung-load-") as tmp,
          warehouse(backend, Path(tmp), pg_url) as url):
        engine = make_engine(url)
        migrate(engine)
        insert = postgresql.insert if backend == "postgresql" else sqlite.insert

        def plain(conn: Any, chunk: list[dict[str, Any]]) -> None:
            stmt = insert(mention)
            conn.execute(stmt.on_conflict_do_nothing(index_elements=["post_id", "brand"]),
                         chunk)

        for name, fn in (("executemany_on_conflict", plain),
                         ("stimmung_upsert", lambda c, ch: upsert(c, mention, ch))):
            with engine.begin() as conn:
                conn.execute(mention.delete())
            t0 = time.perf_counter()
            for i in range(0, rows, batch):
                with engine.begin() as conn:
                    fn(conn, data[i:i + batch])
            out[f"{name}_rows_per_s"] = round(rows / (time.perf_counter() - t0))
            t0 = time.perf_counter()  # the same rows again: idempotent, nothing added
            for i in range(0, rows, batch):
                with engine.begin() as conn:
                    fn(conn, data[i:i + batch])
            out[f"{name}_rerun_rows_per_s"] = round(rows / (time.perf_counter() - t0))
            with engine.connect() as conn:
                stored = conn.execute(select(func.count()).select_from(mention)).scalar()
            out[f"{name}_rows_stored"] = stored
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--profiles", nargs="+", default=["fast", "accurate"])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"],
                        choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default=PG_DEFAULT)
    parser.add_argument("--append", action="store_true",
                        help="also time one appended post after each run")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "processor": platform.processor()},
        "runs": [], "baseline": [], "load": [],
    }
    for size in args.sizes:
        stream = write_stream(BUILD / f"stream-{size}.jsonl", size)
        for backend in args.backends:
            for profile in args.profiles:
                res = run_one(size, stream, backend, profile, args.pg_url, args.append)
                report["runs"].append(res)
                print(json.dumps(res), file=sys.stderr, flush=True)
        if not args.no_baseline:
            base = baseline(stream, size)
            if base:
                report["baseline"].append(base)
                print(json.dumps(base), file=sys.stderr, flush=True)
    if not args.no_load:
        for backend in args.backends:
            report["load"].append(load_rates(backend, args.pg_url))
    text = json.dumps(report, indent=1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
