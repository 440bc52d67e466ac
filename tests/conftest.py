"""Shared fixtures: PostgreSQL (real, per-test schema), ../shared, Airflow's environment."""

from __future__ import annotations

import json
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

# Airflow reads its environment at import time: set it before anything imports airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="stimmung-airflow-"))
os.environ.setdefault("AIRFLOW_HOME", str(_AIRFLOW_HOME))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN",
                      f"sqlite:///{_AIRFLOW_HOME / 'airflow.db'}")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

def run_on_posts(tmp_path: Path, url: str, rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """(config, engine) of a warehouse at `url` after one `stimmung run` over `rows` (a
    `file` source; one brand, Kaffeekraft)."""
    from pipeline.config import parse_config
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.run import run

    data = tmp_path / "posts.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    config = parse_config({
        "warehouse": {"url": url}, "brands": [{"name": "Kaffeekraft"}],
        "sources": [{"name": "file", "kind": "file", "options": {"path": str(data)}}],
    }, base_dir=tmp_path)
    engine = open_warehouse(config)
    run(engine, config)
    return config, engine


PG_URL = os.environ.get("STIMMUNG_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_PG = os.environ.get("STIMMUNG_REQUIRE_PG") == "1"


@pytest.fixture(autouse=True)
def pseudonym_key(monkeypatch: pytest.MonkeyPatch) -> str:
    key = "test-key-" + "0" * 32
    monkeypatch.setenv("STIMMUNG_PSEUDONYM_KEY", key)
    return key


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present beside the repository")
    return SHARED


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL URL; skip when unreachable, or fail when STIMMUNG_REQUIRE_PG=1."""
    from sqlalchemy import text

    from pipeline.warehouse.db import make_engine

    engine = make_engine(PG_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any failure to reach the server
        message = f"PostgreSQL not reachable at {PG_URL}: {type(exc).__name__}: {exc}"
        if REQUIRE_PG:
            pytest.fail(message + " (STIMMUNG_REQUIRE_PG=1)")
        pytest.skip(message)
    finally:
        engine.dispose()
    return PG_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh schema per test, so tests never see each other's rows."""
    from pipeline.warehouse.db import scratch_schema

    with scratch_schema(pg_server) as url:
        yield url


@pytest.fixture(scope="module")
def module_pg_url(pg_server: str) -> Iterator[str]:
    """A fresh schema shared by the tests of one module."""
    from pipeline.warehouse.db import scratch_schema

    with scratch_schema(pg_server) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'warehouse.db'}"


@pytest.fixture(params=["sqlite", "postgres"])
def warehouse_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Run a test on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


REQUIRE_BROWSER = os.environ.get("STIMMUNG_REQUIRE_BROWSER") == "1"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Headless Chromium: skip when it is missing, or fail when STIMMUNG_REQUIRE_BROWSER=1."""
    from pipeline.report.pdf import ChromiumNotFound, find_chromium

    try:
        return find_chromium()
    except ChromiumNotFound as exc:
        if REQUIRE_BROWSER:
            pytest.fail(f"{exc} (STIMMUNG_REQUIRE_BROWSER=1)")
        pytest.skip(str(exc))


# a local webhook endpoint that records what apprise's json:// plugin posts to it
@dataclass
class LocalWebhook:
    url: str = ""  # an apprise json:// URL with a secret-looking path
    received: list[dict[str, Any]] = field(default_factory=list)
    fail_first: int = 0  # answer this many requests with 503 first


@pytest.fixture
def webhook() -> Iterator[LocalWebhook]:
    hook = LocalWebhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if hook.fail_first > 0:
                hook.fail_first -= 1
                self.send_response(503)
                self.end_headers()
                return
            hook.received.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hook.url = f"json://127.0.0.1:{server.server_address[1]}/hooks/SECRET-TOKEN-123"
    yield hook
    server.shutdown()
    server.server_close()
