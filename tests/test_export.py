"""`stimmung export` on the demo warehouse: every table, both formats, checked against the
report's own figures; bad input fails with one line and leaves no file."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.config import load_config
from pipeline.demo.run import run_demo
from pipeline.export import SCHEMAS, Period, frame
from pipeline.report.queries import build_report_data
from pipeline.stages.base import model_identity, open_warehouse

# the module's fixture runs the whole demo (about 2 min on a quiet machine); the limit
# only guards against a hang
pytestmark = pytest.mark.timeout(900)

BRAND = "Kaffeekraft"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, date, Any]]:
    workdir = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("STIMMUNG_PSEUDONYM_KEY", "k" * 32)
    result = run_demo(workdir)
    config = load_config(result.config_path)
    end = result.manifest.end
    engine = open_warehouse(config)
    model, version = model_identity(config)
    with engine.connect() as conn:
        data = build_report_data(conn, config, BRAND, end - timedelta(days=27), end, model,
                                 version)
    engine.dispose()
    yield result.config_path, end, data
    mp.undo()


def _export(config: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["export", *args, "--config", str(config)],
                              env={"COLUMNS": "200", "STIMMUNG_PSEUDONYM_KEY": "k" * 32})


@pytest.mark.parametrize("what", ["mentions", "daily", "problems", "queue"])
def test_csv_and_parquet_hold_the_same_rows(demo: tuple[Path, date, Any], tmp_path: Path,
                                            what: str) -> None:
    config, _, _ = demo
    csv_run = _export(config, "--what", what, "--out", str(tmp_path / f"{what}.csv"))
    pq_run = _export(config, "--what", what, "--format", "parquet", "--out",
                     str(tmp_path / f"{what}.parquet"))
    assert csv_run.exit_code == 0 and pq_run.exit_code == 0, csv_run.output + pq_run.output
    from_csv = pd.read_csv(tmp_path / f"{what}.csv")
    table = pq.read_table(tmp_path / f"{what}.parquet")
    assert table.schema.equals(SCHEMAS[what])
    assert list(from_csv.columns) == SCHEMAS[what].names
    assert len(from_csv) == table.num_rows > 0
    assert f"exported {table.num_rows} rows" in csv_run.output
    assert not list(tmp_path.glob("*.tmp"))


def test_exports_count_as_the_report(demo: tuple[Path, date, Any], tmp_path: Path) -> None:
    config, end, data = demo
    for what in ("mentions", "daily", "queue"):
        run = _export(config, "--what", what, "--format", "parquet", "--since", "28d",
                      "--to", end.isoformat(), "--out", str(tmp_path / f"{what}.parquet"))
        assert run.exit_code == 0, run.output
    mentions = pd.read_parquet(tmp_path / "mentions.parquet")
    daily = pd.read_parquet(tmp_path / "daily.parquet")
    queue = pd.read_parquet(tmp_path / "queue.parquet")
    assert len(mentions) == data.coverage.mentions == data.kpis.volume
    assert int(daily["volume"].sum()) == data.kpis.volume
    assert mentions["post_id"].is_unique and (mentions["brand"] == BRAND).all()
    assert str(mentions["created_at"].dt.tz) == "UTC"
    assert int(mentions["human_label"].sum()) == data.coverage.human_labels
    # the report shows the queue's top 10, in the same order
    assert list(queue["post_id"][:10]) == [q.post_id for q in data.response_queue]
    # shrunk net sentiment: same sign as the raw one, never further from 0
    both = daily.dropna(subset=["net_sentiment_shrunk"])
    assert (both["net_sentiment_shrunk"].abs() <= both["net_sentiment"].abs()).all()
    assert ((both["net_sentiment_shrunk"] * both["net_sentiment"]) >= 0).all()
    # exactly the report's shrinkage (K = 5 pseudo-mentions), strongest on quiet days
    judged = both["negative"] + both["positive"]
    expected = both["net_sentiment"] * judged / (judged + 5)
    assert ((both["net_sentiment_shrunk"] - expected).abs() < 1e-9).all()
    quiet = both[judged < 5]
    assert not quiet.empty
    assert (quiet["net_sentiment_shrunk"].abs() <= quiet["net_sentiment"].abs() * 0.8).all()


def test_a_date_and_a_window_give_the_same_period(demo: tuple[Path, date, Any],
                                                   tmp_path: Path) -> None:
    config, end, _ = demo
    start = end - timedelta(days=6)
    a = _export(config, "--what", "daily", "--since", "7d", "--out", str(tmp_path / "a.csv"))
    b = _export(config, "--what", "daily", "--since", start.isoformat(), "--out",
                str(tmp_path / "b.csv"))
    assert a.exit_code == b.exit_code == 0
    days = pd.read_csv(tmp_path / "a.csv")["day"]
    assert days.min() >= start.isoformat() and days.max() == end.isoformat()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_bad_input_is_one_line_and_writes_nothing(demo: tuple[Path, date, Any],
                                                  tmp_path: Path) -> None:
    config, _, _ = demo
    bad_what = _export(config, "--what", "tweets", "--out", str(tmp_path / "x.csv"))
    assert bad_what.exit_code == 2 and "mentions, daily, problems or queue" in bad_what.output
    bad_format = _export(config, "--what", "daily", "--format", "xlsx", "--out",
                         str(tmp_path / "x.xlsx"))
    assert bad_format.exit_code == 2
    folder = _export(config, "--what", "daily", "--out", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.output
    assert "Traceback" not in folder.output and len(folder.output.strip().splitlines()) == 1
    blocked = tmp_path / "file"
    blocked.write_text("x")
    nested = _export(config, "--what", "daily", "--out", str(blocked / "daily.csv"))
    assert nested.exit_code == 1 and "Traceback" not in nested.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_an_empty_period_still_has_its_columns(demo: tuple[Path, date, Any]) -> None:
    config_path, _, _ = demo
    cfg = load_config(config_path)
    engine = open_warehouse(cfg)
    model, version = model_identity(cfg)
    period = Period(BRAND, date(2001, 1, 1), date(2001, 1, 31))
    with engine.connect() as conn:
        for what in SCHEMAS:
            df = frame(conn, cfg, what, period, model, version)
            assert df.empty and list(df.columns) == SCHEMAS[what].names
    engine.dispose()
