from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select, update
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.stages.aggregate import aggregate
from pipeline.stages.analyze import rescore, set_label
from pipeline.stages.base import model_identity
from pipeline.warehouse.schema import daily_brand_metrics, sentiment
from tests.conftest import run_on_posts

POSTS = [
    ("1", "Die Kaffeekraft Maschine ist großartig, ich liebe sie!"),
    ("2", "Kaffeekraft support is the worst, my machine is broken again"),
    ("3", "Kaffeekraft hat heute ein neues Modell vorgestellt."),
    ("4", "Kaffeekraft: absolutely terrible update, everything crashes"),
]


def _setup(tmp_path: Path, url: str):  # type: ignore[no-untyped-def]
    return run_on_posts(tmp_path, url, [{"id": i, "text": t, "created_at": "2026-10-05T10:00:00Z"}
                                        for i, t in POSTS])


def _metrics(engine):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return conn.execute(select(daily_brand_metrics)).mappings().one()


def test_rescore_keeps_older_versions_side_by_side(tmp_path: Path, warehouse_url: str) -> None:
    config, engine = _setup(tmp_path, warehouse_url)
    name, version = model_identity(config)
    with engine.begin() as conn:  # pretend history was scored by an older release
        conn.execute(update(sentiment).values(version="0.9-old"))
    assert rescore(engine, config, since=date(2026, 10, 1)) == 4
    assert rescore(engine, config, since=date(2026, 11, 1)) == 0
    with engine.connect() as conn:
        rows = conn.execute(select(sentiment.c.model, sentiment.c.version)).all()
    assert sorted({r.version for r in rows}) == sorted({"0.9-old", version})
    assert len(rows) == 8 and {r.model for r in rows} == {name}


def test_human_label_wins_in_metrics_and_survives_rescore(tmp_path: Path,
                                                          warehouse_url: str) -> None:
    config, engine = _setup(tmp_path, warehouse_url)
    before = _metrics(engine)
    with engine.connect() as conn:
        scored = dict(conn.execute(select(sentiment.c.post_id, sentiment.c.label)).all())
    target = next(pid for pid, lab in scored.items() if lab != "positive")
    set_label(engine, target, "positive")
    aggregate(engine, config, date(2026, 10, 5), date(2026, 10, 5))
    after = _metrics(engine)
    assert after["positive"] == before["positive"] + 1
    assert after["negative"] + after["neutral"] == before["negative"] + before["neutral"] - 1
    rescore(engine, config)
    aggregate(engine, config, date(2026, 10, 5), date(2026, 10, 5))
    assert _metrics(engine)["positive"] == after["positive"]


def test_label_command_validates_and_stores(tmp_path: Path, sqlite_url: str) -> None:
    _, engine = _setup(tmp_path, sqlite_url)
    cfg_file = tmp_path / "stimmung.yaml"
    cfg_file.write_text(f"warehouse: {{url: '{sqlite_url}'}}\nbrands: [{{name: Kaffeekraft}}]\n",
                        encoding="utf-8")
    with engine.connect() as conn:
        pid = conn.execute(select(sentiment.c.post_id)).scalars().first()
    runner = CliRunner()
    bad = runner.invoke(app, ["label", str(pid), "angry", "--config", str(cfg_file)])
    assert bad.exit_code == 1 and "not one of negative, neutral, positive" in bad.output
    missing = runner.invoke(app, ["label", "nope", "negative", "--config", str(cfg_file)])
    assert missing.exit_code == 1 and "no post with id 'nope'" in missing.output
    bulk = tmp_path / "labels.csv"
    bulk.write_text(f"post_id,label\n{pid},negative\n", encoding="utf-8")
    ok = runner.invoke(app, ["label", "--csv", str(bulk), "--config", str(cfg_file)])
    assert ok.exit_code == 0 and "stored 1 label(s)" in ok.output
    assert "Traceback" not in bad.output + missing.output


def test_rescore_with_the_multilingual_model_beside_the_fast_profile(
        tmp_path: Path, sqlite_url: str) -> None:
    """History scored by the fast profile's n-gram model, re-scored with the accurate
    profile's multilingual model: both kept, the metrics follow the configured model."""
    config, engine = _setup(tmp_path, sqlite_url)
    config.sentiment.model = "stimmung-sentiment"
    rescore(engine, config, model="stimmung-sentiment")
    assert rescore(engine, config, model="stimmung-multilingual") == 4
    with engine.connect() as conn:
        rows = conn.execute(select(sentiment.c.post_id, sentiment.c.model,
                                   sentiment.c.label)).all()
    by_model: dict[str, dict[str, str]] = {}
    for r in rows:
        by_model.setdefault(r.model, {})[r.post_id] = r.label
    assert set(by_model) == {"stimmung-sentiment", "stimmung-multilingual"}
    assert all(len(v) == 4 for v in by_model.values())
    labels = sorted(by_model["stimmung-multilingual"].values())
    assert labels.count("negative") == 2 and "positive" in labels, labels
