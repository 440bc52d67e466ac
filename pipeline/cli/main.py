"""The `stimmung` command line, assembled: one module per command group, each parsing
its options, calling the library (`pipeline.stages`, `pipeline.report`, …) and printing.
The library never imports this package."""

from __future__ import annotations

# isort: off
# imported in the order `stimmung --help` lists their commands: each module registers its
# top-level commands on `app` when imported
from pipeline.cli.root import app
from pipeline.cli import warehouse, run, report, sources, query, labels, alerts, privacy
from pipeline.cli import problems, reputation, evaluate
from pipeline.cli.run import EXIT_SOURCES_FAILED
# isort: on

app.add_typer(warehouse.db_app, name="db")
app.add_typer(sources.sources_app, name="sources")
app.add_typer(query.query_app, name="query")
app.add_typer(alerts.alerts_app, name="alerts")
app.add_typer(evaluate.eval_app, name="eval")

__all__ = ["EXIT_SOURCES_FAILED", "app", "labels", "privacy", "problems", "report",
           "reputation", "run"]  # the modules named here register commands only
