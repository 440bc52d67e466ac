"""Every DAG file imports, carries tags/retries/catchup/doc, and stays light at parse time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.airflow

DAGS = Path(__file__).resolve().parents[2] / "dags"
HEAVY = ("torch", "transformers", "sklearn", "pandas", "pipeline.stages.analyze",
         "pipeline.stages.run", "pipeline.nlp", "sqlalchemy.orm.pipeline")


def test_dagbag_imports_and_policies(airflow_db: None) -> None:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS))
    assert bag.import_errors == {}
    assert set(bag.dag_ids) == {"stimmung_collect", "stimmung_analyze",
                                "stimmung_reputation", "stimmung_report"}
    for dag_id, dag in bag.dags.items():
        assert dag.tags, dag_id
        assert dag.doc_md and dag_id in dag.doc_md, dag_id
        assert dag.catchup is False, dag_id
        for t in dag.tasks:
            assert t.retries >= 2, (dag_id, t.task_id)
            assert t.retry_delay.total_seconds() > 0


@pytest.mark.parametrize("path", sorted(DAGS.glob("*.py")), ids=lambda p: p.name)
def test_dag_file_has_no_heavy_imports(path: Path) -> None:
    code = (
        "import runpy, sys\n"
        f"runpy.run_path({str(path)!r})\n"
        f"bad = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "assert not bad, bad\n"
        "assert not [m for m in sys.modules if m.startswith('pipeline')], 'pipeline imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
