"""`stimmung eval …`: sentiment and language id on labelled TSV files, topic clustering,
the spike detector on a series (`pipeline.evaluation`)."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

# the evaluation modules are imported by the command that runs them: `stimmung --help`
# and `stimmung run` do not pay for them (the alerts evaluation alone pulls in numpy)

logger = logging.getLogger(__name__)

eval_app = typer.Typer(
    help="Evaluate NLP components on TSV files with header text<TAB>label<TAB>lang.\n\n"
    "Example: stimmung eval sentiment --input ../shared/eval/sb10k_de_dev.tsv",
    no_args_is_help=True,
)


def _fail(msg: str) -> None:
    sys.stderr.write(f"error: {msg}\n")
    raise typer.Exit(code=1)


def _table(title: str, rows: list[tuple[str, Any]]) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in rows:
        text = f"{v:.1f}" if k == "posts/s" else f"{v:.4f}" if isinstance(v, float) else str(v)
        table.add_row(k, text)
    Console(file=sys.stdout).print(table)


@eval_app.command("sentiment")
def sentiment(
    input: Annotated[Path, typer.Option("--input", "-i", help="TSV file: text, label, lang.")],
    model: Annotated[
        str, typer.Option("--model", "-m", help="Backend name, e.g. transformers:<id>.")
    ] = "stimmung-sentiment",
) -> None:
    """Macro-F1, accuracy, per-class / per-language F1 and speed of a sentiment model.

    Prints a table, then one JSON object as the last line.

    Example: stimmung eval sentiment --input ../shared/eval/tweeteval_en_val.tsv
    """
    from pipeline.evaluation.sentiment import EvalInputError, evaluate_sentiment

    try:
        result = evaluate_sentiment(input, model)
    except (EvalInputError, OSError, ValueError, ImportError, RuntimeError) as e:
        _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
        return
    rows: list[tuple[str, Any]] = [
        ("file", input.name),
        ("model", result["model"]),
        ("n", result["n"]),
        ("macro F1", result["macro_f1"]),
        ("accuracy", result["accuracy"]),
    ]
    rows += [(f"F1 {k}", v) for k, v in result["per_class_f1"].items()]
    rows += [(f"macro F1 [{k}]", v) for k, v in result["per_lang_macro_f1"].items()]
    rows.append(("posts/s", result["posts_per_s"]))
    _table("sentiment", rows)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@eval_app.command("demo")
def demo(
    model: Annotated[
        str, typer.Option("--model", "-m", help="Backend name, e.g. stimmung-multilingual.")
    ] = "stimmung-multilingual",
) -> None:
    """Sentiment on the demo corpus's gold labels, per language: macro-F1, recall of
    negatives and the German-English gap.

    Prints a table, then one JSON object as the last line.

    Example: stimmung eval demo --model stimmung-sentiment
    """
    from pipeline.evaluation.sentiment import evaluate_demo_sentiment

    try:
        result = evaluate_demo_sentiment(model)
    except (OSError, ValueError, ImportError, RuntimeError) as e:
        _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
        return
    rows: list[tuple[str, Any]] = [("model", result["model"]), ("n", result["n"])]
    for lang, figures in result["per_lang"].items():
        rows += [(f"{lang} macro F1", figures["macro_f1"]),
                 (f"{lang} recall of negatives", figures["negative_recall"])]
    rows.append(("de-en macro F1 gap", result["de_en_gap"]))
    _table("demo sentiment", rows)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@eval_app.command("language")
def language(
    input: Annotated[
        list[Path], typer.Option("--input", "-i", help="TSV file(s) with a lang column.")
    ],
) -> None:
    """Accuracy of language identification against the lang column.

    Prints a table, then one JSON object as the last line.

    Example: stimmung eval language --input a.tsv --input b.tsv
    """
    from pipeline.evaluation.sentiment import EvalInputError, evaluate_language

    try:
        result = evaluate_language(input)
    except (EvalInputError, FileNotFoundError, ValueError) as e:
        _fail(str(e).splitlines()[0] if str(e) else type(e).__name__)
        return
    rows: list[tuple[str, Any]] = [("n", result["n"]), ("accuracy", result["accuracy"])]
    rows += [(f"accuracy [{k}]", v) for k, v in result["per_lang_accuracy"].items()]
    rows.append(("posts/s", result["posts_per_s"]))
    _table("language id", rows)
    sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")


@eval_app.command("alerts")
def alerts(
    input: Annotated[Path, typer.Option(
        "--input", "-i", help="CSV with header time,total,negative (ISO times, counts).")],
    freq: Annotated[str, typer.Option(
        "--freq", help="D (daily: day-of-week baseline) or H (hourly: hour-of-week).")] = "D",
) -> None:
    """Run the spike detector online (each point judged only on the points before it).

    The last stdout line is {"alerts": [{"time": ..., "severity": ...}]}.

    Example: stimmung eval alerts --input series.csv --freq H
    """
    from pipeline.evaluation.alerts import SeriesInputError, evaluate_series, read_series

    try:
        series = read_series(input, freq)
        alerts = evaluate_series(series, freq.upper())
    except SeriesInputError as exc:
        sys.stderr.write(f"error: {exc}\n")
        raise typer.Exit(code=1) from None
    for a in alerts:
        sys.stdout.write(f"alert {a['time']}: {a['negative']} negative vs "
                         f"{a['expected']:g} expected, severity {a['severity']}/10\n")
    sys.stdout.write(f"{len(series.times)} points, {len(alerts)} alerts\n")
    payload = {"alerts": [{"time": a["time"], "severity": a["severity"]} for a in alerts]}
    sys.stdout.write(json.dumps(payload) + "\n")


@eval_app.command("topics")
def topics(
    input: Annotated[Path, typer.Option("--input", "-i", help="TSV with text, label, lang.")],
) -> None:
    """Cluster the texts of a labelled TSV and score the clusters against the labels.

    The last stdout line is {"n", "n_clusters", "nmi", "ari", "purity"}.

    Example: stimmung eval topics --input ../shared/eval/germeval_aspects_dev_de.tsv
    """
    from pipeline.evaluation.sentiment import EvalInputError
    from pipeline.evaluation.topics import evaluate_topics

    try:
        result = evaluate_topics(input)
    except (EvalInputError, FileNotFoundError, ValueError) as e:
        sys.stderr.write(f"error: {str(e).splitlines()[0] if str(e) else type(e).__name__}\n")
        raise typer.Exit(code=1) from e
    table = Table(title=f"topic clustering: {input.name}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in result.items():
        table.add_row(k, f"{v:.4f}" if isinstance(v, float) else str(v))
    Console(file=sys.stdout).print(table)
    line = {k: result[k] for k in ("n", "n_clusters", "nmi", "ari", "purity")}
    sys.stdout.write(json.dumps(line) + "\n")
