"""`stimmung init` and `stimmung db …`: the config file and the warehouse schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.options import (
    ConfigOpt,
)
from pipeline.cli.output import clean_errors, out, safe_url
from pipeline.cli.root import app
from pipeline.config import load_config

db_app = typer.Typer(help="The warehouse schema.\n\nExample: stimmung db upgrade")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the config.")]
    = Path("stimmung.yaml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write an example config and create (or upgrade) the warehouse it points at.

    Also refreshes the BI views from sql/views.

    Example: stimmung init stimmung.yaml
    """
    from pipeline.resources import example_config_text
    from pipeline.stages.base import open_warehouse

    with clean_errors():
        if path.exists() and not force:
            out.print(f"{path} exists; keeping it (use --force to overwrite)")
        else:
            path.write_text(example_config_text(), encoding="utf-8")
            out.print(f"wrote {path}")
        config = load_config(path)
        open_warehouse(config, refresh_views=True)
        out.print(f"warehouse ready: {safe_url(config.warehouse_url())}")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Migrate the warehouse to the schema this version needs and refresh the BI views.

    The one place that changes the schema: run it once per deployment, before the
    Airflow DAGs (their tasks only check the revision). Idempotent.

    Example: stimmung db upgrade --config /etc/stimmung/stimmung.yaml
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.db import current_revision

    with clean_errors():
        cfg = load_config(config)
        engine = open_warehouse(cfg, refresh_views=True)
        revision = current_revision(engine)
        engine.dispose()
        out.print(f"warehouse at revision {revision}: {safe_url(cfg.warehouse_url())}")


@db_app.command("check")
def db_check(config: ConfigOpt = None) -> None:
    """Exit 1 with a one-line message when the warehouse schema is not current.

    Example: stimmung db check
    """
    from pipeline.warehouse.db import check_revision, make_engine

    with clean_errors():
        cfg = load_config(config)
        engine = make_engine(cfg.warehouse_url())
        try:
            revision = check_revision(engine)
        finally:
            engine.dispose()
        out.print(f"warehouse at revision {revision} (current)")
