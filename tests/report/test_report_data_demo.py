"""The report's data on the demo corpus, checked against the corpus's gold labels."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.demo.run import DemoResult, run_demo
from pipeline.records import post_key
from pipeline.report.queries import build_report_data
from pipeline.stages.base import model_identity, open_warehouse
from pipeline.text.pseudonym import Pseudonymiser

# the module's fixture runs the whole demo (about 2 min on a quiet machine); the limit
# only guards against a hang
pytestmark = pytest.mark.timeout(900)

BRAND = "Kaffeekraft"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DemoResult, Any, Any]]:
    workdir = tmp_path_factory.mktemp("demo")
    mp = pytest.MonkeyPatch()
    mp.setenv("STIMMUNG_PSEUDONYM_KEY", "k" * 32)
    result = run_demo(workdir)
    config = load_config(result.config_path)
    engine = open_warehouse(config)
    start = result.manifest.end - timedelta(days=27)
    model, version = model_identity(config)
    with engine.connect() as conn:
        data = build_report_data(conn, config, BRAND, start, result.manifest.end, model,
                                 version)
    yield result, config, data
    engine.dispose()
    mp.undo()


def _gold(result: DemoResult) -> dict[str, dict[str, Any]]:
    path = result.config_path.parent / "data" / result.manifest.gold_path
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    gold = {}
    for r in rows:
        gold[post_key(r["source"], r["external_id"])] = r
        # the Atom feed's entry ids are tag URIs around the corpus id
        gold[post_key(r["source"], f"tag:cremalab.demo.invalid,2026:{r['external_id']}")] = r
    return gold


def test_official_posts_never_count(demo: tuple[DemoResult, Any, Any]) -> None:
    result, _, data = demo
    gold = _gold(result)
    assert data.coverage is not None
    # the KPIs and the coverage count the same mentions: official replies are in neither
    assert data.coverage.mentions == data.kpis.volume
    shown = [p.post_id for p in data.most_negative] + [i.post_id for i in data.ideas]
    assert shown and not any(gold[pid]["official"] for pid in shown)


def test_response_queue_holds_only_unanswered_posts(demo: tuple[DemoResult, Any, Any]) -> None:
    result, _, data = demo
    gold = _gold(result)
    assert len(data.response_queue) == 10
    for item in data.response_queue:
        assert BRAND not in gold[item.post_id]["answered_by"]
        assert not gold[item.post_id]["official"]
        assert item.intent in ("question", "complaint")
        assert item.url and item.url.startswith("http")
    priorities = [i.priority for i in data.response_queue]
    assert priorities == sorted(priorities, reverse=True)


def test_the_demo_chief_leads_its_community(demo: tuple[DemoResult, Any, Any]) -> None:
    result, config, data = demo
    pseudonym = Pseudonymiser(b"k" * 32)
    chiefs = result.manifest.to_dict()["threads"]["chiefs"]
    moni = pseudonym("support_export", chiefs["hub/kaffee-talk-de"])
    # the demo's regular answers in brand threads without naming the brand: an expert,
    # not a chief (chiefs are the authors who mention the brand, as the README says)
    assert data.chiefs and all(c.mentions > 0 for c in data.chiefs)
    assert data.experts and all(e.mentions == 0 and e.brand_replies > 0 for e in data.experts)
    by_id = {c.author_id: c for c in data.experts}
    assert moni in by_id and moni not in {c.author_id for c in data.chiefs}
    assert by_id[moni].centrality == 1.0
    assert by_id[moni].community == "hub/kaffee-talk-de"
    official = {pseudonym(s.name, h) for s in config.sources
                for h in config.brand(BRAND).official_accounts}
    assert not official & (set(by_id) | {c.author_id for c in data.chiefs})
    assert data.communities[0].mentions >= data.communities[-1].mentions


def test_data_state_and_language(demo: tuple[DemoResult, Any, Any]) -> None:
    _, config, data = demo
    state = data.data_state
    assert state is not None and state.days == 28
    assert {s.source for s in state.sources} == {s.name for s in config.sources}
    # every source delivered posts dated in the period, whatever its last run loaded
    assert all(s.posts > 0 and not s.failed and not s.silent for s in state.sources)
    assert sum(s.mentions for s in state.sources) == data.kpis.volume
    assert 0 < state.days_with_mentions <= state.days_with_posts <= 28
    # no report.language in the demo config: the brand's main language (German)
    assert config.report.language is None
    assert data.coverage is not None and max(data.coverage.by_lang,
                                             key=data.coverage.by_lang.__getitem__) == "de"
    assert data.language == "de" and data.timezone == "UTC"


def test_problems_alerts_and_method(demo: tuple[DemoResult, Any, Any]) -> None:
    result, _, data = demo
    emerging = [p for p in data.problems if p.emerging]
    assert emerging and any("entkalkung" in p.label.lower() or "descal" in p.label.lower()
                            for p in emerging)
    spike = [a for a in data.alerts if a.day == result.manifest.spike_day]
    assert spike and spike[0].details["top_posts"] and spike[0].details["problems"]
    assert spike[0].details["report"].endswith("kaffeekraft-latest.html")
    assert set(data.models) == {"sentiment", "intent", "keyphrases", "problems"}
    assert {s.source for s in data.sources} == {s["name"] for s in
                                                result.manifest.feeds + result.manifest.files}
    assert data.kpis.reputation is not None and -100 <= data.kpis.reputation <= 100
    assert all(d.reputation is None or -100 <= d.reputation <= 100 for d in data.daily)
    latest = Path(spike[0].details["report"].removeprefix("file://"))
    assert latest.exists() and latest.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_queue_and_tribes_commands(demo: tuple[DemoResult, Any, Any]) -> None:
    from typer.testing import CliRunner

    from pipeline.cli import app

    result, _, data = demo
    config = ["--config", str(result.config_path)]
    queue = CliRunner().invoke(app, ["queue", "--brand", BRAND, "--limit", "3", *config],
                               env={"COLUMNS": "200"})
    assert queue.exit_code == 0, queue.output
    # three rows, each with its age in the report's one duration format
    assert len(re.findall(r"│ +\d+ (hours?|days?) │", queue.output)) == 3, queue.output
    for item in data.response_queue[:3]:
        assert item.url is not None and item.url in queue.output
    tribes = CliRunner().invoke(app, ["tribes", "--brand", BRAND, "--since", "28d", *config],
                                env={"COLUMNS": "200"})
    assert tribes.exit_code == 0, tribes.output
    assert data.communities[0].community in tribes.output
    assert data.chiefs[0].author_id in tribes.output
    assert "Community experts" in tribes.output and data.experts[0].author_id in tribes.output
    # --brand is optional (the first brand) and --since takes a date as well as a window
    default = CliRunner().invoke(app, ["tribes", "--since", str(data.period_start), *config],
                                 env={"COLUMNS": "200"})
    assert default.exit_code == 0 and default.output == tribes.output
    bad = CliRunner().invoke(app, ["tribes", "--since", "yesterday", *config])
    assert bad.exit_code == 2 and "expected a window (14d, 2w) or a date" in bad.output
    missing = CliRunner().invoke(app, ["queue", "--brand", "Nobody", *config])
    assert missing.exit_code == 1 and "Nobody" in missing.output
