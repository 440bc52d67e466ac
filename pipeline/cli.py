"""The `stimmung` command line: parses, calls `pipeline.stages`, prints."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer.core import TyperGroup

from pipeline.cli_options import (
    BRAND_HELP,
    EXIT_CODES,
    SINCE_HELP,
    parse_day,
    parse_since,
    resolve_brand,
    since_days,
)
from pipeline.config import Config, ConfigError, load_config
from pipeline.redact import redact
from pipeline.report.write import ReportFormat
from pipeline.sources.base import SourceError

log = logging.getLogger(__name__)


class _OneLineErrors(TyperGroup):
    """The CLI edge: an error nobody caught becomes one redacted line and exit 1, never
    a traceback (`stimmung -v …` logs the traceback too)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except Exception as exc:
            log.info("unexpected error", exc_info=True)
            first = (str(exc).strip().splitlines() or [""])[0][:500]
            message = redact(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
            err.print(f"[bold red]error:[/] {escape(message)} (run with -v for the "
                      "traceback)", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_OneLineErrors,
    help="stimmung: social listening for brands (collect, analyze, alert, report).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
sources_app = typer.Typer(help="Configured sources and their health.\n\nExample: stimmung sources")
query_app = typer.Typer(
    help="Brand queries.\n\nExample: stimmung query check '\"Kaffeekraft\" AND app'"
)
alerts_app = typer.Typer(help="Alerts and their lifecycle.\n\nExample: stimmung alerts")
db_app = typer.Typer(help="The warehouse schema.\n\nExample: stimmung db upgrade")
app.add_typer(db_app, name="db")
EXIT_SOURCES_FAILED = 3  # `stimmung run`: some source failed; 2 stays click's usage error
app.add_typer(sources_app, name="sources")
app.add_typer(query_app, name="query")
app.add_typer(alerts_app, name="alerts")

out = Console()
err = Console(stderr=True)
T = TypeVar("T")

BrandOpt = Annotated[str | None, typer.Option(help=BRAND_HELP)]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c",
                 help="Config file (default: $STIMMUNG_CONFIG or ./stimmung.yaml)."),
]


def _user_errors() -> tuple[type[BaseException], ...]:
    from pipeline.export import ExportError
    from pipeline.text.pseudonym import PseudonymKeyMissing
    from pipeline.text.query import QuerySyntaxError
    from pipeline.warehouse.db import WarehouseError

    return (ConfigError, SourceError, WarehouseError, QuerySyntaxError, PseudonymKeyMissing,
            LookupError, FileNotFoundError, ExportError)


@contextmanager
def _clean_errors() -> Iterator[None]:
    """A user mistake becomes a one-line error and exit 1, never a traceback."""
    try:
        yield
    except _user_errors() as exc:
        message = str(exc).strip() or type(exc).__name__
        if isinstance(exc, LookupError) and message.startswith("'"):
            message = message.strip("'")
        err.print(f"[bold red]error:[/] {escape(redact(message))}", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(1) from None


def _setup_logging(verbose: bool) -> None:
    from pipeline.redact import RedactingFilter

    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress.")] = False
          ) -> None:
    _setup_logging(verbose)


def _load(config: Path | None) -> Config:
    return load_config(config)


@contextmanager
def _progress() -> Iterator[Callable[[str, int], None]]:
    """Bars per stage on a terminal; plain progress lines on stderr otherwise."""
    from pipeline.stages.progress import PlainProgress, RichProgress

    if err.is_terminal:
        with RichProgress(err) as bars:
            yield bars
        return
    lines = PlainProgress(lambda line: err.print(line, highlight=False, soft_wrap=True))
    try:
        yield lines
    finally:
        lines.close()


# --------------------------------------------------------------------------- setup + run


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

    with _clean_errors():
        if path.exists() and not force:
            out.print(f"{path} exists; keeping it (use --force to overwrite)")
        else:
            path.write_text(example_config_text(), encoding="utf-8")
            out.print(f"wrote {path}")
        config = _load(path)
        open_warehouse(config, refresh_views=True)
        out.print(f"warehouse ready: {_safe_url(config.warehouse_url())}")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOpt = None) -> None:
    """Migrate the warehouse to the schema this version needs and refresh the BI views.

    The one place that changes the schema: run it once per deployment, before the
    Airflow DAGs (their tasks only check the revision). Idempotent.

    Example: stimmung db upgrade --config /etc/stimmung/stimmung.yaml
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.db import current_revision

    with _clean_errors():
        cfg = _load(config)
        engine = open_warehouse(cfg, refresh_views=True)
        revision = current_revision(engine)
        engine.dispose()
        out.print(f"warehouse at revision {revision}: {_safe_url(cfg.warehouse_url())}")


@db_app.command("check")
def db_check(config: ConfigOpt = None) -> None:
    """Exit 1 with a one-line message when the warehouse schema is not current.

    Example: stimmung db check
    """
    from pipeline.warehouse.db import check_revision, make_engine

    with _clean_errors():
        cfg = _load(config)
        engine = make_engine(cfg.warehouse_url())
        try:
            revision = check_revision(engine)
        finally:
            engine.dispose()
        out.print(f"warehouse at revision {revision} (current)")


@app.command()
def run(
    config: ConfigOpt = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these sources.")] = None,
    force: Annotated[bool, typer.Option(
        help="Fetch sources that are backing off or disabled after failures.")] = False,
    profile: Annotated[str | None, typer.Option(
        help="Analysis profile for this run: accurate | fast (default: analysis.profile).")]
    = None,
    timings: Annotated[Path | None, typer.Option(
        help="Write seconds per stage as JSON to this file.")] = None,
) -> None:
    """Collect, analyze, load, aggregate and alert, once.

    Exit codes: 0 every source loaded; 1 a configuration or warehouse error (nothing
    ran); 2 an invalid option or argument; 3 some source failed (what loaded is kept,
    analysed and aggregated; see `stimmung sources`).

    Example: stimmung run --config stimmung.yaml
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.run import run
    from pipeline.timing import collect_timings, timed

    with _clean_errors(), collect_timings() as stage_times:
        cfg = _load(config).with_profile(profile)
        with timed("open_warehouse"):
            engine = open_warehouse(cfg)
        with _progress() as progress:
            result = run(engine, cfg, progress=progress, sources=source, force=force)
        if timings is not None:
            timings.write_text(json.dumps({"stages": stage_times.as_dict(),
                                           "posts": result.analyze.posts}, indent=1) + "\n",
                               encoding="utf-8")
        _print_run(result)
        if result.collect.failed:
            raise typer.Exit(EXIT_SOURCES_FAILED)


def _print_run(result: Any, *, alerts: bool = True) -> None:
    table = Table(title="sources", show_lines=False)
    for col in ("source", "status", "posts"):
        table.add_column(col, no_wrap=True)
    table.add_column("error")
    for o in result.collect.outcomes:
        colour = {"ok": "green", "failed": "red", "skipped": "yellow"}[o.status]
        table.add_row(o.source, f"[{colour}]{o.status}[/]", str(o.items),
                      escape(redact(o.error or "")))
    out.print(table)
    a = result.analyze
    out.print(f"analyzed {a.posts} posts: {a.mentions} mentions, {a.duplicates} duplicates, "
              f"{a.scored} scored; {result.metric_rows} metric rows")
    if alerts:
        for alert in result.alerts:
            out.print(f"[bold red]ALERT[/] {alert.message}", highlight=False, soft_wrap=True)


@app.command()
def demo(
    workdir: Annotated[Path, typer.Option(help="Where demo data, warehouse and report go.")]
    = Path("build/demo"),
) -> None:
    """Run the whole pipeline on the bundled demo data (local feeds + a JSONL file).

    Example: stimmung demo --workdir build/demo
    """
    from pipeline.demo.run import run_demo

    with _clean_errors():
        with _progress() as progress:
            result = run_demo(workdir, progress=progress)
        _print_run(result.run, alerts=False)
        for alert in result.alerts:  # every stored alert, also those of earlier demo runs
            out.print(f"[bold red]ALERT[/] {alert['message']}", highlight=False, soft_wrap=True)
        for report in result.reports:
            out.print(f"report: {report}", soft_wrap=True, highlight=False)


# --------------------------------------------------------------------------- report


_parse_day = parse_day


@app.command(epilog=EXIT_CODES)
def report(
    config: ConfigOpt = None,
    brand: BrandOpt = None,
    from_: Annotated[str | None, typer.Option("--from", help="First day, YYYY-MM-DD.")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP + " Instead of --from; default: report.days.")] = None,
    out_path: Annotated[Path | None, typer.Option("--out", help="Output file.")] = None,
    fmt: Annotated[ReportFormat, typer.Option(
        "--format", case_sensitive=False,
        help="html (self-contained file) or pdf (printed with headless Chromium).")]
    = ReportFormat.html,
) -> None:
    """Write the brand report as one self-contained HTML file, or as a PDF.

    Example: stimmung report --brand Kaffeekraft --from 2026-10-01 --to 2026-10-31 --format pdf
    """
    from rich.markup import escape

    from pipeline.report.pdf import PdfError
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        if since is not None and from_ is not None:
            raise typer.BadParameter("give --since or --from, not both", param_hint="--since")
        cfg = _load(config)
        engine = open_warehouse(cfg)
        from pipeline.report.write import publish_report

        first, last = _parse_day(from_), _parse_day(to)
        if since is not None:
            last = _newest_day(engine, to)
            first = parse_since(since, last)
        try:  # to report.output_dir (a folder or an fsspec URL), or to --out
            path = publish_report(engine, cfg, brand, first, last, out_path, fmt=fmt.value)
        except PdfError as exc:  # no browser, or it failed: one line, exit 1
            err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        out.print(f"report: {path}", soft_wrap=True, highlight=False)


# --------------------------------------------------------------------------- sources


@sources_app.callback(invoke_without_command=True)
def sources_list(ctx: typer.Context, config: ConfigOpt = None) -> None:
    """Show configured sources with their health (status, items, errors)."""
    if ctx.invoked_subcommand is not None:
        return
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.state import read_health

    with _clean_errors():
        cfg = _load(config)
        engine = open_warehouse(cfg)
        table = Table(title="sources")
        for col in ("name", "kind", "status", "failures", "last run", "items"):
            table.add_column(col, no_wrap=True)
        table.add_column("last error")
        with engine.connect() as conn:
            for s in cfg.sources:
                h = read_health(conn, s.name)
                status = "disabled (config)" if not s.enabled else (h.status if h else "never run")
                table.add_row(
                    s.name, s.kind, status, str(h.consecutive_failures if h else 0),
                    f"{h.last_run_at:%Y-%m-%d %H:%M}" if h and h.last_run_at else "-",
                    str(h.last_items) if h and h.last_items is not None else "-",
                    escape(redact(h.last_error or "")[:80]) if h else "",
                )
        out.print(table)


@sources_app.command("enable")
def sources_enable(name: str, config: ConfigOpt = None) -> None:
    """Re-enable a source that was disabled after repeated failures.

    Example: stimmung sources enable reddit-de
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.warehouse.state import enable_source

    with _clean_errors():
        cfg = _load(config)
        cfg.source(name)
        engine = open_warehouse(cfg)
        with engine.begin() as conn:
            changed = enable_source(conn, name)
        out.print(f"{name}: enabled" if changed else f"{name}: has not run yet; nothing to do")


@app.command()
def fetch(
    target: Annotated[str, typer.Argument(
        help="The source's main option: feed URL, file path, subreddit, forum URL, page URL.")],
    kind: Annotated[str, typer.Option(help="Source kind: feed, file, reddit, discourse, html.")]
    = "feed",
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="More source options as key=value (value may be JSON).")] = None,
    limit: Annotated[int | None, typer.Option(help="Stop after N posts.")] = None,
) -> None:
    """Print the normalised posts of one source definition as JSON lines.

    Example: stimmung fetch --kind feed https://example.com/feed.xml --limit 5

    Example: stimmung fetch --kind reddit espresso -o comments=false --limit 10

    Example: stimmung fetch --kind html https://forum.example.de/f/12 -o item_selector=a.topic
    """
    from pipeline.sources.base import SourceContext, build_source, source_class

    with _clean_errors():
        cls = source_class(kind)
        main_option, field = next(iter(cls.Options.model_fields.items()))
        is_list = getattr(field.annotation, "__origin__", None) is list
        options: dict[str, Any] = {main_option: [target] if is_list else target}
        for item in option or []:
            key, sep, value = item.partition("=")
            if not sep:
                raise SourceError(f"--option {item!r}: expected key=value")
            try:
                options[key] = json.loads(value)
            except json.JSONDecodeError:
                options[key] = value
        try:
            source = build_source("cli", kind, options, SourceContext(base_dir="."))
        except ValueError as exc:  # pydantic validation of the options
            raise SourceError(f"invalid options for a {kind} source: {exc}") from None
        for count, post in enumerate(source.fetch({}), 1):
            sys.stdout.write(json.dumps({
                "source": post.source, "external_id": post.external_id, "url": post.url,
                "author": post.author, "community": post.community, "title": post.title,
                "body": post.body, "created_at": post.created_at.isoformat(),
                "engagement": post.engagement, "parent_id": post.parent_id,
            }, ensure_ascii=False) + "\n")
            if limit is not None and count >= limit:
                break


# --------------------------------------------------------------------------- queries


@query_app.command("check")
def query_check(
    query: Annotated[str, typer.Argument(help="A boolean brand query.")],
    text: Annotated[list[str] | None, typer.Option(help="Texts to test the query on.")] = None,
) -> None:
    """Parse a brand query, print its canonical form, and test it on texts.

    A query that starts with '-' (NOT) goes after `--`, or it is read as an option:
    stimmung query check -- '-Hotel Velora'

    Example: stimmung query check '"Kaffeekraft" AND (app OR maschine)' --text "Die Kaffeekraft App"
    """
    from pipeline.text.query import parse_query

    with _clean_errors():
        parsed = parse_query(query)
        out.print(f"ok: {parsed}", highlight=False)
        for sample in text or []:
            verdict = "match" if parsed.matches(sample) else "no match"
            out.print(f"{verdict}: {sample}", highlight=False)


# --------------------------------------------------------------------------- models + labels


@app.command(epilog=EXIT_CODES)
def rescore(
    config: ConfigOpt = None,
    model: Annotated[str | None, typer.Option(help="Model name (default: the configured one).")]
    = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP.replace("the last day", "the newest data") + " Default: all history.")]
    = None,
) -> None:
    """Score history with a model, side by side with earlier scores.

    Example: stimmung rescore --model stimmung-sentiment --since 2026-01-01
    """
    from pipeline.stages.analyze import rescore
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        cfg = _load(config)
        engine = open_warehouse(cfg)
        first = None if since is None else parse_since(since, _newest_day(engine, None))
        with _progress() as progress:
            n = rescore(engine, cfg, model=model, since=first, progress=progress)
        out.print(f"scored {n} posts")


@app.command()
def label(
    post_id: Annotated[str | None, typer.Argument(help="Post id.")] = None,
    value: Annotated[str | None, typer.Argument(help="negative | neutral | positive")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="CSV with post_id,label.")]
    = None,
    config: ConfigOpt = None,
) -> None:
    """Store a human sentiment label that wins over model labels.

    Example: stimmung label 3f2a9c0d1e4b5a6978c0d1e2 negative
    """
    import csv

    from pipeline.records import LABELS
    from pipeline.stages.analyze import set_label
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        pairs: list[tuple[str, str]] = []
        if csv_file:
            with csv_file.open(encoding="utf-8", newline="") as handle:
                pairs = [(r["post_id"], r["label"]) for r in csv.DictReader(handle)]
        elif post_id and value:
            pairs = [(post_id, value)]
        else:
            raise ConfigError("give POST_ID LABEL, or --csv FILE")
        for _, lab in pairs:
            if lab not in LABELS:
                raise ConfigError(f"label {lab!r} is not one of {', '.join(LABELS)}")
        cfg = _load(config)
        engine = open_warehouse(cfg)
        for pid, lab in pairs:
            set_label(engine, pid, lab)
        out.print(f"stored {len(pairs)} label(s)")


# --------------------------------------------------------------------------- alerts


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

    with _clean_errors():
        cfg = _load(config)
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

    with _clean_errors():
        cfg = _load(config)
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


# --------------------------------------------------------------------------- privacy


@app.command()
def erase(
    source: Annotated[str, typer.Option(help="Source name the author posted on.")],
    author: Annotated[str, typer.Option(help="The author's handle as the source shows it.")],
    config: ConfigOpt = None,
) -> None:
    """Erase every post of one author (raw and derived data).

    Example: stimmung erase --source reddit-de --author some_user
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.privacy import erase_author

    with _clean_errors():
        cfg = _load(config)
        engine = open_warehouse(cfg)
        n = erase_author(engine, cfg, source, author)
        out.print(f"erased {n} post(s)")
        if n:
            _mark_reports_stale(cfg, f"erase --source {source} (one author)")


@app.command()
def retention(
    config: ConfigOpt = None,
    days: Annotated[int | None, typer.Option(help="Keep this many days (default: config).")]
    = None,
) -> None:
    """Delete posts older than the retention period.

    Example: stimmung retention --days 365
    """
    from pipeline.stages.base import open_warehouse
    from pipeline.stages.privacy import apply_retention

    with _clean_errors():
        cfg = _load(config)
        keep = days or cfg.privacy.retention_days
        if not keep:
            raise ConfigError("no retention period: set privacy.retention_days or pass --days")
        engine = open_warehouse(cfg)
        n = apply_retention(engine, keep)
        out.print(f"deleted {n} post(s) older than {keep} days")
        if n:
            _mark_reports_stale(cfg, f"retention --days {keep}")


def _mark_reports_stale(cfg: Config, reason: str) -> None:
    from pipeline.report.paths import report_dir
    from pipeline.report.write import is_url
    from pipeline.stages.stale_reports import MARKER, mark_stale

    folder = (cfg.report.output_dir.rstrip("/") if is_url(cfg.report.output_dir)
              else str(report_dir(cfg)))
    stale = mark_stale(folder, reason)
    if stale:
        out.print(f"{len(stale)} report(s) written before may quote deleted posts: listed "
                  f"in {redact(folder)}/{MARKER}; re-render them with `stimmung report` "
                  "or delete them", highlight=False)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command(epilog=EXIT_CODES)
def problems(
    brand: BrandOpt = None,
    since: Annotated[str, typer.Option(help=SINCE_HELP)] = "14d",
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    config: ConfigOpt = None,
) -> None:
    """Customer problems of a brand with trend arrows, counts, share negative, examples.

    Example: stimmung problems --brand Kaffeekraft --since 14d
    """
    from pipeline.cli_problems import problems_command
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        cfg = _load(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        end = _newest_day(engine, to)
        problems_command(engine, name, since_days(since, end), end=end)


def _newest_day(engine: Any, to: str | None) -> date:
    from pipeline.stages.base import data_range

    end = parse_day(to)
    if end is None:
        span = data_range(engine)
        end = span[1] if span else date.today()
    return end


@app.command(epilog=EXIT_CODES)
def queue(
    brand: BrandOpt = None,
    to: Annotated[str | None, typer.Option(help="As of the end of this day, YYYY-MM-DD "
                                                 "(default: newest data).")] = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
    config: ConfigOpt = None,
) -> None:
    """The response queue: questions and complaints no official account has answered,
    highest priority (reach and age) first, with links.

    Example: stimmung queue --brand Kaffeekraft
    """
    from pipeline.cli_reputation import queue_command
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        cfg = _load(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        queue_command(engine, cfg, name, _newest_day(engine, to), limit)


@app.command(epilog=EXIT_CODES)
def tribes(
    brand: BrandOpt = None,
    since: Annotated[str, typer.Option(help=SINCE_HELP)] = "28d",
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    limit: Annotated[int, typer.Option(min=1, help="Rows per table.")] = 10,
    config: ConfigOpt = None,
) -> None:
    """Tribes and chiefs: communities ranked by brand volume and growth, authors
    (pseudonymous) by influence (engagement, reply-graph centrality, consistency).

    Example: stimmung tribes --brand Kaffeekraft --since 28d
    """
    from pipeline.cli_reputation import tribes_command
    from pipeline.stages.base import open_warehouse

    with _clean_errors():
        cfg = _load(config)
        name = resolve_brand(cfg, brand)
        engine = open_warehouse(cfg)
        end = _newest_day(engine, to)
        tribes_command(engine, cfg, name, parse_since(since, end), end, limit)


@app.command(epilog=EXIT_CODES)
def export(
    what: Annotated[str, typer.Option(help="mentions | daily | problems | queue")],
    out_path: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet")] = "csv",
    brand: BrandOpt = None,
    since: Annotated[str | None, typer.Option(
        help=SINCE_HELP + " Default: report.days.")] = None,
    to: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: newest data).")]
    = None,
    config: ConfigOpt = None,
) -> None:
    """Export a brand's mentions, daily figures, problems or response queue as CSV or
    Parquet, for analysts (the same counting as the report; times in UTC).

    Example: stimmung export --what daily --format parquet --out kaffeekraft-daily.parquet
    """
    from pipeline.cli_reputation import export_command

    if what not in ("mentions", "daily", "problems", "queue"):
        raise typer.BadParameter("choose mentions, daily, problems or queue",
                                 param_hint="--what")
    if fmt not in ("csv", "parquet"):
        raise typer.BadParameter("choose csv or parquet", param_hint="--format")
    with _clean_errors():
        cfg = _load(config)
        name = resolve_brand(cfg, brand)
        from pipeline.stages.base import open_warehouse

        engine = open_warehouse(cfg)
        end = _newest_day(engine, to)
        start = parse_since(since, end) if since else end - timedelta(days=cfg.report.days - 1)
        rows = export_command(engine, cfg, what, fmt, out_path, name, start, end)
        out.print(f"exported {rows} rows to {out_path}", soft_wrap=True, highlight=False)


def topics(
    input: Annotated[Path, typer.Option("--input", "-i", help="TSV with text, label, lang.")],
) -> None:
    """Cluster the texts of a labelled TSV and score the clusters against the labels.

    The last stdout line is {"n", "n_clusters", "nmi", "ari", "purity"}.

    Example: stimmung eval topics --input ../shared/eval/germeval_aspects_dev_de.tsv
    """
    from pipeline.cli_problems import topics_command

    topics_command(input)


def _mount_eval() -> None:
    from pipeline.cli_alerts_eval import alerts_command
    from pipeline.cli_eval import eval_app

    eval_app.command("alerts")(alerts_command)
    eval_app.command("topics")(topics)
    app.add_typer(eval_app, name="eval")


_mount_eval()
