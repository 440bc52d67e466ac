"""The latest report's path and link, shared by the alerts and the report writer, and the
reputation floor that never imports the report above it."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pipeline.reputation
from pipeline.config import parse_config
from pipeline.report.paths import dated_report_path
from pipeline.reputation.report_links import latest_report_link, latest_report_path


def test_latest_report_path_and_link(tmp_path: Path) -> None:
    config = parse_config({"brands": [{"name": "Café Crème"}]}, base_dir=tmp_path)
    path = latest_report_path(config, "Café Crème")
    assert path == tmp_path / "reports" / "café-crème-latest.html"
    assert latest_report_link(config, "Café Crème") == path.resolve().as_uri()
    dated = dated_report_path(config, "Café Crème", date(2026, 10, 1), date(2026, 10, 7), "pdf")
    assert dated == path.parent / "café-crème-20261001-20261007.pdf"
    hosted = parse_config({"brands": [{"name": "Acme"}],
                           "report": {"base_url": "https://intranet.example/r/"}},
                          base_dir=tmp_path)
    assert latest_report_link(hosted, "Acme") == "https://intranet.example/r/acme-latest.html"


def test_reputation_imports_nothing_from_the_report() -> None:
    folder = Path(pipeline.reputation.__file__).parent
    upward = []
    for path in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            upward += [f"{path.name}: {n}" for n in names if n.startswith("pipeline.report")]
    assert upward == []
