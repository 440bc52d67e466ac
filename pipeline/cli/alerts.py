"""`stimmung alerts …`: list alerts, acknowledge and resolve them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.options import (
    ConfigOpt,
)
from pipeline.cli.output import clean_errors, out
from pipeline.config import load_config

alerts_app = typer.Typer(help="Alerts and their lifecycle.\n\nExample: stimmung alerts")


@alerts_app.callback(invoke_without_command=True)
def alerts_list(
    ctx: typer.Context, config: ConfigOpt = None,
    brand: Annotated[str | None, typer.Option(help="Only this brand.")] = None,
) -> None:
    """List alerts with their status."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.reputation.alerts import list_alerts
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        with engine.connect() as conn:
            rows = list_alerts(conn, brand=brand)
        table = Table(title="alerts")
        for col in ("id", "day", "brand", "severity", "status", "message"):
            table.add_column(col)
        for r in rows:
            table.add_row(r["alert_id"], str(r["day"]), r["brand"], str(r["severity"]),
                          r["status"], r["message"])
        out.print(table)


def _set_alert_status(alert_id: str, status: str, config: Path | None) -> None:
    from pipeline.reputation.alerts import set_alert_status
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg)
        with engine.begin() as conn:
            set_alert_status(conn, alert_id, status)
        out.print(f"{alert_id}: {status}", highlight=False, soft_wrap=True)


@alerts_app.command("ack")
def alerts_ack(alert_id: str, config: ConfigOpt = None) -> None:
    """Acknowledge an alert (someone is on it).

    Example: stimmung alerts ack negative-spike:Kaffeekraft:2026-10-16
    """
    _set_alert_status(alert_id, "acknowledged", config)


@alerts_app.command("resolve")
def alerts_resolve(alert_id: str, config: ConfigOpt = None) -> None:
    """Mark an alert resolved.

    Example: stimmung alerts resolve negative-spike:Kaffeekraft:2026-10-16
    """
    _set_alert_status(alert_id, "resolved", config)
