"""`stimmung eval sentiment|language` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.evaluate import eval_app
from pipeline.nlp.sentiment import models_dir

runner = CliRunner()
needs_model = pytest.mark.skipif(
    not (models_dir() / "stimmung_sentiment" / "weights.npz").is_file(),
    reason="bundled model not trained",
)
ROWS = [
    ("Das ist großartig, ich liebe es", "positive", "de"),
    ("Schrecklicher Service, nie wieder", "negative", "de"),
    ("Der Zug fährt um 10 Uhr ab.", "neutral", "de"),
    ("I love it, best day ever", "positive", "en"),
    ("worst service ever, totally broken", "negative", "en"),
    ("The meeting is on Monday.", "neutral", "en"),
]


def _write(path: Path, header: str, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text(header + "\n" + "".join("\t".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


@needs_model
def test_sentiment_command_prints_json_last(tmp_path: Path) -> None:
    tsv = _write(tmp_path / "small.tsv", "text\tlabel\tlang", ROWS)
    result = runner.invoke(eval_app, ["sentiment", "--input", str(tsv)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    keys = {"model", "n", "macro_f1", "accuracy", "per_class_f1", "per_lang_macro_f1"}
    assert keys | {"posts_per_s"} <= set(payload)
    assert payload["n"] == len(ROWS)
    assert set(payload["per_lang_macro_f1"]) == {"de", "en"}
    assert 0.0 <= payload["macro_f1"] <= 1.0 and payload["posts_per_s"] > 0
    assert payload["model"].startswith("stimmung-sentiment")


@pytest.mark.parametrize(
    ("header", "rows", "needle"),
    [
        ("text\tlang", [("hallo", "de")], "missing column"),
        ("text\tlabel\tlang", [("hallo", "great", "de")], "unknown label"),
    ],
)
def test_bad_input_exits_1_with_one_line(
    tmp_path: Path, header: str, rows: list[tuple[str, ...]], needle: str
) -> None:
    tsv = tmp_path / "bad.tsv"
    tsv.write_text(header + "\n" + "\n".join("\t".join(r) for r in rows) + "\n")
    result = runner.invoke(eval_app, ["sentiment", "--input", str(tsv)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
    assert "Traceback" not in result.output


def test_missing_file_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(eval_app, ["language", "--input", str(tmp_path / "nope.tsv")])
    assert result.exit_code == 1
    assert "not found" in result.stderr


def test_language_command(tmp_path: Path) -> None:
    rows = [
        ("Ich habe heute keine Zeit, weil ich arbeiten muss.", "neutral", "de"),
        ("The weather is lovely today and we are going out.", "positive", "en"),
        ("Je ne sais pas ce que nous allons faire demain.", "neutral", "fr"),
    ]
    tsv = _write(tmp_path / "lang.tsv", "text\tlabel\tlang", rows)
    result = runner.invoke(eval_app, ["language", "--input", str(tsv), "--input", str(tsv)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout.strip().splitlines()[-1])
    assert payload["n"] == 6
    assert set(payload["per_lang_accuracy"]) == {"de", "en", "fr"}
    assert payload["accuracy"] == pytest.approx(1.0)


@pytest.mark.shared
@needs_model
def test_bundled_model_on_shared_validation(shared_dir: Path) -> None:
    from pipeline.evaluation.sentiment import evaluate_sentiment

    path = shared_dir / "eval" / "umsab_de_val.tsv"
    if not path.is_file():
        pytest.skip("umsab_de_val.tsv absent")
    result = evaluate_sentiment(path, "stimmung-sentiment")
    assert result["n"] == 324
    assert result["macro_f1"] > 0.55  # far above the 0.33 of chance on balanced data
