"""bench/table.py turns bench/run.py's JSON into the README's table and linearity lines."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

TABLE = Path(__file__).resolve().parents[1] / "bench" / "table.py"


@pytest.fixture(scope="module")
def table() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_table", TABLE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(posts: int, rate: float, backend: str = "sqlite", **extra: Any) -> dict[str, Any]:
    return {"posts": posts, "backend": backend, "profile": "fast", "returncode": 0,
            "posts_per_s": rate, "posts_per_cpu_s": rate * 0.8, "peak_rss_mib": 400.0,
            "peak_tree_pss_mib": 500.0,
            "stages_s": {"analyze": 30.0, "analyze.enrich": 12.0, "collect": 5.0,
                         "aggregate": 1.0, "alert": 0.5}, **extra}


def test_rows_and_largest_stages(table: ModuleType) -> None:
    text = table.render([{"date": "2026-12-03T19:00:00+00:00",
                          "runs": [_run(100_000, 1800.4, append_one_post_s=3.26),
                                   _run(10_000, 1200.0)]}])
    lines = text.splitlines()
    rows = [line for line in lines if line.startswith("| 1")]
    assert [r.split("|")[1].strip() for r in rows] == ["10k, sqlite, fast", "100k, sqlite, fast"]
    assert "| 1,800 | 1,440 | 400 MiB | 500 MiB |" in rows[1]
    # nested stages (analyze.enrich) are not top-level stages
    assert "analyze 30.0, collect 5.0, aggregate 1.0" in rows[1]
    assert "one appended post 3.3 s" in rows[1]


def test_linearity_verdicts(table: ModuleType) -> None:
    runs = [_run(10_000, 1000.0), _run(1_000_000, 900.0),
            _run(10_000, 1000.0, "postgresql"), _run(1_000_000, 500.0, "postgresql")]
    lines = table.linearity(runs)
    assert any("fast, sqlite" in ln and "ratio 1.11 (linear" in ln for ln in lines)
    assert any("fast, postgresql" in ln and "ratio 2.00 (NOT linear" in ln for ln in lines)


def test_failed_run_is_shown_not_dropped(table: ModuleType) -> None:
    failed = {**_run(10_000, 0.0), "returncode": 1, "error": "database went away"}
    text = table.render([{"date": "d", "runs": [failed]}])
    assert "failed" in text and "database went away" in text
    assert table.linearity([failed]) == []
