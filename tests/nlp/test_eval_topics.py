from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def _app():  # type: ignore[no-untyped-def]
    import typer

    from pipeline.cli.evaluate import topics as topics_command

    app = typer.Typer()

    @app.command()
    def topics(input: Path = typer.Option(..., "--input")) -> None:  # noqa: B008
        topics_command(input)

    return app


def test_eval_topics_prints_json_last_line(tmp_path: Path) -> None:
    rows = ["text\tlabel\tlang"]
    for i in range(6):
        rows.append(f"Das Mahlwerk ist laut beim Mahlen {i}\tgrinder\tde")
        rows.append(f"Die App Kopplung per Bluetooth scheitert {i}\tapp\tde")
        rows.append(f"Lieferung kam zu spät, Paket beschädigt {i}\tdelivery\tde")
    f = tmp_path / "t.tsv"
    f.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(_app(), ["--input", str(f)])
    assert res.exit_code == 0, res.output
    last = json.loads(res.output.strip().splitlines()[-1])
    assert set(last) == {"n", "n_clusters", "nmi", "ari", "purity"}
    assert last["n"] == 18 and last["n_clusters"] == 6  # round(sqrt(36))
    assert last["nmi"] > 0.6 and last["purity"] == 1.0


def test_eval_topics_bad_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(_app(), ["--input", str(tmp_path / "missing.tsv")])
    assert res.exit_code == 1


@pytest.mark.shared
@pytest.mark.slow
def test_germeval_aspects_nmi(tmp_path: Path) -> None:
    f = SHARED / "eval" / "germeval_aspects_dev_de.tsv"
    if not f.is_file():
        pytest.skip("../shared is absent")
    from pipeline.evaluation.topics import evaluate_topics

    r = evaluate_topics(f)
    assert r["n"] == 490 and r["n_clusters"] == 31
    assert r["nmi"] >= 0.38  # 0.407 measured (0.356 before the e5 half)
