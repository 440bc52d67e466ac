"""One meaning for --since, one default for --brand, exit codes in --help."""

from __future__ import annotations

from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.cli.options import parse_since, resolve_brand, since_days
from pipeline.config import Config, ConfigError

END = date(2026, 11, 30)


@pytest.mark.parametrize(("value", "start"), [
    ("14d", date(2026, 11, 17)), ("1d", END), ("2w", date(2026, 11, 17)),
    ("14", date(2026, 11, 17)), (" 3d ", date(2026, 11, 28)),
    ("2026-11-01", date(2026, 11, 1)), (END.isoformat(), END),
])
def test_since_accepts_a_window_or_a_date(value: str, start: date) -> None:
    assert parse_since(value, END) == start
    assert since_days(value, END) == (END - start).days + 1


@pytest.mark.parametrize("value", ["0d", "soon", "2026-13-01", "2026-12-01", "", "-3d"])
def test_since_rejects_anything_else_with_one_line(value: str) -> None:
    with pytest.raises(typer.BadParameter) as exc:
        parse_since(value, END)
    assert "\n" not in str(exc.value)


def test_brand_defaults_to_the_first_configured() -> None:
    cfg = Config.model_validate({"brands": [{"name": "Acme"}, {"name": "Other"}]})
    assert resolve_brand(cfg, None) == "Acme"
    assert resolve_brand(cfg, "Other") == "Other"
    with pytest.raises(ConfigError, match="no brand named 'Nobody'"):
        resolve_brand(cfg, "Nobody")


@pytest.mark.parametrize("command", ["report", "queue", "tribes", "problems", "rescore",
                                     "export"])
def test_reporting_commands_share_options_and_list_exit_codes(command: str) -> None:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Exit codes: 0" in text and "2 an invalid option" in text
    assert "Example: stimmung " + command in text
    if command != "rescore":
        assert "--brand" in text and "default: the first configured" in text
    if command in ("tribes", "problems", "rescore", "report", "export"):
        assert "a window counted back" in text and "YYYY-MM-DD" in text


def test_a_missing_config_is_one_line_and_exit_1() -> None:
    result = CliRunner().invoke(app, ["tribes", "--since", "14d", "--config",
                                      "/nonexistent/stimmung.yaml"])
    assert result.exit_code == 1 and "config file not found" in result.output
    assert "Traceback" not in result.output


def test_report_takes_since_or_from_not_both() -> None:
    result = CliRunner().invoke(app, ["report", "--since", "7d", "--from", "2026-10-01",
                                      "--config", "/nonexistent/stimmung.yaml"])
    assert result.exit_code == 2 and "not both" in result.output
