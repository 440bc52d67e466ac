"""`stimmung db upgrade` / `db check` (migrations in one place) and `stimmung run`'s exit codes."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from pipeline.cli import EXIT_SOURCES_FAILED, app
from pipeline.demo.server import serve_faults
from pipeline.warehouse.db import head_revision

runner = CliRunner()


def _config(tmp_path: Path, sources: list[dict[str, object]]) -> Path:
    path = tmp_path / "stimmung.yaml"
    path.write_text(yaml.safe_dump({
        "warehouse": {"url": "sqlite:///w.db"}, "brands": [{"name": "Kaffeekraft"}],
        "http": {"max_retries": 0, "timeout_s": 2}, "sources": sources}), encoding="utf-8")
    return path


def test_db_check_fails_until_db_upgrade_ran(tmp_path: Path) -> None:
    cfg = str(_config(tmp_path, []))
    behind = runner.invoke(app, ["db", "check", "--config", cfg])
    assert behind.exit_code == 1
    assert "none (empty database)" in behind.output and "stimmung db upgrade" in behind.output
    assert "Traceback" not in behind.output
    upgrade = runner.invoke(app, ["db", "upgrade", "--config", cfg])
    assert upgrade.exit_code == 0, upgrade.output
    assert f"warehouse at revision {head_revision()}" in upgrade.output
    assert runner.invoke(app, ["db", "upgrade", "--config", cfg]).exit_code == 0  # idempotent
    ok = runner.invoke(app, ["db", "check", "--config", cfg])
    assert ok.exit_code == 0 and "(current)" in ok.output


def test_run_exit_codes_tell_failed_sources_from_usage_errors(tmp_path: Path) -> None:
    with serve_faults() as faults:
        cfg = str(_config(tmp_path, [
            {"name": "broken", "kind": "feed", "options": {"url": f"{faults}/status/500"}}]))
        failed = runner.invoke(app, ["run", "--config", cfg])
    assert failed.exit_code == EXIT_SOURCES_FAILED == 3, failed.output
    assert "broken" in failed.output and "failed" in failed.output
    usage = runner.invoke(app, ["run", "--config", cfg, "--no-such-option"])
    assert usage.exit_code == 2
    missing = runner.invoke(app, ["run", "--config", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1
    assert "Exit codes" in runner.invoke(app, ["run", "--help"]).output


def test_init_writes_the_packaged_example_that_runs_as_written(tmp_path: Path) -> None:
    target = tmp_path / "stimmung.yaml"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    example = Path(__file__).resolve().parents[1] / "examples" / "stimmung.yaml"
    assert target.read_text(encoding="utf-8") == example.read_text(encoding="utf-8")
    run = runner.invoke(app, ["run", "--config", str(target)])
    assert run.exit_code == 0, run.output
    assert "disabled in the config" in run.output
