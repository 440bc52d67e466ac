"""Scale-out on a real distributed engine: the DAGs under Airflow's CeleryExecutor.

Starts what it needs and stops it afterwards (each process in its own process group):
Airflow's api-server, scheduler and dag-processor, and two `airflow celery worker`
processes with distinct hostnames; Redis at 127.0.0.1:6379 is the broker (a queue of
this test's own), PostgreSQL both Airflow's metadata database (a fresh database) and the
warehouse (a fresh schema). collect → analyze → reputation → report run through the REST
API; the test checks that tasks ran on both workers and that the warehouse equals a
`dag.test()` (in-process) run's over the same data.

Nothing is mocked. The scheduler does not create scheduled or asset-triggered runs here
(`use_job_schedule=False`): the test triggers each DAG itself, with the logical dates the
reference run uses, so both runs cover the same intervals.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select, text

from pipeline.config import load_config
from pipeline.demo.corpus import write_demo_data
from pipeline.demo.server import serve_directory
from pipeline.stages.base import open_warehouse
from pipeline.warehouse.db import make_engine, scratch_schema
from pipeline.warehouse.schema import alert, daily_brand_metrics, metadata

pytestmark = [pytest.mark.celery, pytest.mark.airflow, pytest.mark.slow,
              pytest.mark.postgres, pytest.mark.timeout(420)]

REPO = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))
BROKER = os.environ.get("STIMMUNG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WORKERS = ("stimmung-w1", "stimmung-w2")
# (dag_id, logical date): collect, analyze, the spike day's metrics, the report's week
RUNS: tuple[tuple[str, datetime | None], ...] = (
    ("stimmung_collect", datetime(2026, 11, 1, tzinfo=UTC)),
    ("stimmung_analyze", None),
    ("stimmung_reputation", datetime(2026, 10, 17, tzinfo=UTC)),
    ("stimmung_report", datetime(2026, 10, 12, tzinfo=UTC)),
)
HOSTNAME_MODULE = '''import os
import socket


def hostname() -> str:
    return os.environ.get("STIMMUNG_WORKER_NAME") or socket.getfqdn()
'''


def _broker_reachable() -> bool:
    host, port = BROKER.split("//", 1)[1].split("/", 1)[0].split(":")
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(what: str, check: Callable[[], Any], timeout: float, logs: Path,
          procs: list[subprocess.Popen[bytes]]) -> Any:
    """Poll `check` until it is truthy; fail at once when a cluster process died."""
    deadline = time.monotonic() + timeout
    problem = f"timed out after {timeout:.0f}s"
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        dead = [p.args[1] if isinstance(p.args, list) else p.args for p in procs
                if p.poll() is not None]
        if dead:
            problem = f"{dead} exited"
            break
        time.sleep(1)
    tails = "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-1500:]}"
                      for p in sorted(logs.glob("*.log")))
    raise AssertionError(f"{problem} waiting for {what}\n{tails}")


@dataclass
class Cluster:
    api: str
    metadata_url: str
    logs: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def trigger(self, dag_id: str, logical_date: datetime | None) -> str:
        body = {"logical_date": logical_date.isoformat() if logical_date else None}
        response = httpx.post(f"{self.api}/api/v2/dags/{dag_id}/dagRuns", json=body,
                              timeout=30)
        assert response.status_code == 200, response.text
        return str(response.json()["dag_run_id"])

    def wait_run(self, dag_id: str, run_id: str, timeout: float = 180) -> str:
        def state() -> str | None:
            response = httpx.get(f"{self.api}/api/v2/dags/{dag_id}/dagRuns/{run_id}",
                                 timeout=30)
            value = str(response.json().get("state"))
            return value if value in ("success", "failed") else None

        return str(_wait(f"{dag_id} run {run_id}", state, timeout, self.logs, self.procs))

    def task_hosts(self) -> dict[str, list[str]]:
        engine = make_engine(self.metadata_url)
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT dag_id || '.' || task_id || ':' || map_index AS ti, hostname, state "
                "FROM task_instance WHERE dag_id LIKE 'stimmung_%'")).all()
        engine.dispose()
        hosts: dict[str, list[str]] = {}
        for ti, host, state in rows:
            if state == "success":
                hosts.setdefault(str(host), []).append(str(ti))
        return hosts


@contextmanager
def _fresh_database(server_url: str) -> Iterator[str]:
    name = f"stimmung_af_{secrets.token_hex(5)}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:  # each process group: the process and everything it forked
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in procs:
        with suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
    for proc in procs:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # whatever the group left behind
        proc.wait(timeout=10)


@contextmanager
def _celery_cluster(tmp: Path, metadata_url: str, config: Path) -> Iterator[Cluster]:
    home, logs, pylib = tmp / "airflow", tmp / "logs", tmp / "pylib"
    for folder in (home, logs, pylib):
        folder.mkdir(parents=True)
    (pylib / "stimmung_worker_name.py").write_text(HOSTNAME_MODULE, encoding="utf-8")
    port = _free_port()
    plain = metadata_url.split("://", 1)[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update({
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__CORE__PARALLELISM": "4",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "stimmung_worker_name.hostname",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"postgresql+psycopg://{plain}",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": f"postgresql+psycopg_async://{plain}",
        "AIRFLOW__CELERY__BROKER_URL": BROKER,
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg://{plain}",
        "AIRFLOW__CELERY__WORKER_PREFETCH_MULTIPLIER": "1",
        "AIRFLOW__CELERY__SYNC_PARALLELISM": "1",
        # a queue of this test's own: other Airflow installations on the broker never
        # see its tasks, nor it theirs
        "AIRFLOW__OPERATORS__DEFAULT_QUEUE": f"stimmung-test-{secrets.token_hex(4)}",
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "False",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__API__SECRET_KEY": secrets.token_hex(16),
        "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(32),
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "PYTHONPATH": str(pylib),
        "STIMMUNG_CONFIG": str(config),
    })
    env.pop("STIMMUNG_WAREHOUSE_URL", None)
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, timeout=180,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    queue = env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"]
    commands = {
        "api-server": [AIRFLOW, "api-server", "--port", str(port), "--host", "127.0.0.1"],
        "scheduler": [AIRFLOW, "scheduler"],
        "dag-processor": [AIRFLOW, "dag-processor"],
    }
    for name in WORKERS:
        commands[name] = [AIRFLOW, "celery", "worker", "--queues", queue, "--concurrency",
                          "1", "--celery-hostname", f"{name}@%h", "--skip-serve-logs",
                          "--without-gossip", "--without-mingle"]
    cluster = Cluster(api=f"http://127.0.0.1:{port}", metadata_url=metadata_url, logs=logs)
    try:
        for name, command in commands.items():
            proc_env = dict(env, STIMMUNG_WORKER_NAME=name) if name in WORKERS else env
            with (logs / f"{name}.log").open("wb") as log:
                cluster.procs.append(subprocess.Popen(
                    command, env=proc_env, stdout=log, stderr=subprocess.STDOUT,
                    cwd=tmp, start_new_session=True))

        def api_up() -> bool:
            try:
                return httpx.get(f"{cluster.api}/api/v2/monitor/health",
                                 timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        def dags_parsed() -> bool:
            response = httpx.get(f"{cluster.api}/api/v2/dags",
                                 params={"dag_id_pattern": "stimmung_"}, timeout=10)
            dags = response.json().get("dags", []) if response.status_code == 200 else []
            return len(dags) == 4 and not any(d["is_paused"] for d in dags)

        _wait("the api-server", api_up, 120, logs, cluster.procs)
        for kind in ("feed", "file", "reddit", "discourse", "html"):  # as the README says
            response = httpx.post(f"{cluster.api}/api/v2/pools", timeout=30, json={
                "name": f"stimmung_{kind}", "slots": 2, "description": f"stimmung {kind}"})
            assert response.status_code in (200, 201), response.text
        _wait("the four DAGs to be parsed", dags_parsed, 120, logs, cluster.procs)

        def workers_ready() -> bool:  # both consume before anything is queued
            return all(" ready." in (logs / f"{name}.log").read_text(errors="replace")
                       for name in WORKERS)

        _wait("both Celery workers", workers_ready, 120, logs, cluster.procs)
        yield cluster
    finally:
        _stop(cluster.procs)


def _config(tmp: Path, name: str, warehouse: str, feeds: list[dict[str, Any]],
            manifest: dict[str, Any], base: str) -> Path:
    path = tmp / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "warehouse": {"url": warehouse},
        "http": {"max_retries": 1, "timeout_s": 10},
        "brands": [{k: b[k] for k in ("name", "aliases", "query", "competitors")}
                   for b in manifest["brands"]],
        "sources": [{"name": f["name"], "kind": "feed",
                     "options": {"url": f"{base}/{f['path']}", "community_from": "category"}}
                    for f in feeds],
        "report": {"output_dir": str(tmp / f"{name}-reports")},
    }, allow_unicode=True), encoding="utf-8")
    open_warehouse(load_config(path)).dispose()  # `stimmung db upgrade`, once
    return path


def _warehouse(url: str) -> dict[str, Any]:
    """What a run leaves: row counts per table, the daily metrics, the alert ids."""
    m = daily_brand_metrics.c
    engine = make_engine(url)
    with engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in metadata.sorted_tables if t.name not in ("run", "source_run")}
        metrics = [tuple(r) for r in conn.execute(
            select(m.brand, m.day, m.volume, m.negative, m.neutral, m.positive,
                   m.net_sentiment).order_by(m.brand, m.day)).all()]
        alerts = sorted(conn.execute(select(alert.c.alert_id)).scalars())
    engine.dispose()
    return {"counts": counts, "metrics": metrics, "alerts": alerts}


def _reference_run(dag_test: Callable[[str, datetime | None], str]) -> None:
    for dag_id, logical_date in RUNS:
        assert dag_test(dag_id, logical_date) == "success", dag_id


def _dag_test(dag_id: str, logical_date: datetime | None) -> str:
    from airflow.dag_processing.dagbag import DagBag

    dag = DagBag(dag_folder=str(REPO / "dags" / f"{dag_id}.py")).get_dag(dag_id)
    for task in dag.tasks:
        task.retry_delay = timedelta(0)
    run = dag.test(logical_date=logical_date) if logical_date else dag.test()
    return str(run.state)


@pytest.mark.usefixtures("airflow_db")
def test_celery_two_workers_equal_a_local_run(tmp_path: Path, pg_server: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    if not _broker_reachable():
        message = f"Redis broker not reachable at {BROKER}"
        if os.environ.get("STIMMUNG_REQUIRE_PG") == "1":  # CI: the services are required
            pytest.fail(message)
        pytest.skip(message)
    manifest = write_demo_data(tmp_path / "data").to_dict()
    with ExitStack() as stack:
        base = stack.enter_context(serve_directory(tmp_path / "data"))
        local_url = stack.enter_context(scratch_schema(pg_server, prefix="local"))
        celery_url = stack.enter_context(scratch_schema(pg_server, prefix="celery"))
        metadata_url = stack.enter_context(_fresh_database(pg_server))
        feeds = manifest["feeds"]
        local = _config(tmp_path, "local", local_url, feeds, manifest, base)
        distributed = _config(tmp_path, "celery", celery_url, feeds, manifest, base)

        started = time.monotonic()
        monkeypatch.setenv("STIMMUNG_CONFIG", str(local))
        _reference_run(_dag_test)
        local_s = time.monotonic() - started
        reference = _warehouse(local_url)
        assert reference["counts"]["mention"] > 1000
        assert "negative-spike:Kaffeekraft:2026-10-16" in reference["alerts"]

        started = time.monotonic()
        cluster = stack.enter_context(_celery_cluster(tmp_path / "celery", metadata_url,
                                                      distributed))
        boot_s = time.monotonic() - started
        for dag_id, logical_date in RUNS:
            run_id = cluster.trigger(dag_id, logical_date)
            assert cluster.wait_run(dag_id, run_id) == "success", (
                dag_id, cluster.task_hosts())
        hosts = cluster.task_hosts()
        celery_s = time.monotonic() - started - boot_s

        assert set(WORKERS) <= set(hosts), hosts  # both workers ran tasks
        assert set(hosts) == set(WORKERS), hosts  # and only they did
        assert sum(len(v) for v in hosts.values()) >= 4 + 3 + 2 + 1  # every task once
        got = _warehouse(celery_url)
        differing = {t: (n, got["counts"].get(t)) for t, n in reference["counts"].items()
                     if got["counts"].get(t) != n}
        assert not differing, f"rows per table (dag.test(), Celery): {differing}"
        assert got["alerts"] == reference["alerts"]
        assert got["metrics"] == reference["metrics"], [
            (a, b) for a, b in zip(reference["metrics"], got["metrics"], strict=False)
            if a != b][:5]
        reports = sorted(p.name for p in (tmp_path / "celery-reports").glob("*-2026*.html"))
        assert reports == sorted(p.name for p in (tmp_path / "local-reports").glob(
            "*-2026*.html")) and len(reports) == 2
        # the UI's default: a manual run with "logical_date": null (its own window)
        for dag_id in ("stimmung_reputation", "stimmung_report"):
            assert cluster.wait_run(dag_id, cluster.trigger(dag_id, None)) == "success"
        print(f"\ndag.test() reference {local_s:.0f}s; Celery boot {boot_s:.0f}s, "
              f"four runs {celery_s:.0f}s; tasks per worker "
              f"{ {k: len(v) for k, v in hosts.items()} }")
