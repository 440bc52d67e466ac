"""The built wheel installs anywhere: models, SQL views, templates, the demo corpus's texts
and the example config are package data. Builds the wheel, installs it into a fresh venv
outside the checkout (its dependencies come from this environment's site-packages through a
`.pth` path line, so nothing is downloaded), and runs `stimmung init` and `stimmung demo`
from a temp dir with STIMMUNG_MODELS_DIR / STIMMUNG_SQL_DIR unset."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = [pytest.mark.packaging, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SCRIPTS_AND_EXPERIMENTS = (".py", ".sh", ".pyc")
# built on the machine from GPL data (`make problem-alignment`), never shipped
WORD_TABLE = "problem_alignment/de_en.tsv.gz"


def _shipped_model_files() -> set[str]:
    """Every file under models/ except training scripts, evaluation helpers, experiments."""
    found = set()
    for path in (REPO / "models").rglob("*"):
        rel = path.relative_to(REPO / "models")
        if (path.is_file() and path.suffix not in SCRIPTS_AND_EXPERIMENTS
                and "experiments" not in rel.parts and "__pycache__" not in rel.parts
                and rel.as_posix() != WORD_TABLE):
            found.add(f"pipeline/_bundled/models/{rel.as_posix()}")
    return found


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: int) -> str:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, (cmd, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "-q", "-w", str(out), str(REPO)], cwd=REPO, env=dict(os.environ),
         timeout=300)
    (built,) = out.glob("stimmung-*.whl")
    return built


def test_wheel_carries_models_views_templates_and_example(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "pipeline/_bundled/examples/stimmung.yaml" in names
    views = {n for n in names if n.startswith("pipeline/_bundled/sql/views/")}
    assert {Path(n).name for n in views} == {p.name for p in (REPO / "sql" / "views").glob("*.sql")}
    assert "pipeline/report/templates/report.html.j2" in names
    assert "pipeline/warehouse/migrations/env.py" in names
    demo_texts = {p.relative_to(REPO).as_posix()
                  for p in (REPO / "pipeline" / "demo" / "corpus" / "texts").rglob("*.yaml")}
    assert "pipeline/demo/corpus/texts/brands.yaml" in demo_texts
    assert demo_texts <= names, sorted(demo_texts - names)
    expected = _shipped_model_files()
    assert "pipeline/_bundled/models/stimmung_sentiment/weights.npz" in expected
    assert expected <= names, sorted(expected - names)
    assert f"pipeline/_bundled/models/{WORD_TABLE}" not in names
    shipped = {n for n in names if n.startswith("pipeline/_bundled/models/")}
    assert shipped == expected  # no training scripts, no experiments
    assert not [n for n in names if n.startswith(("tests/", "dags/", "bench/"))]


def test_installed_wheel_runs_init_and_demo_outside_the_checkout(
        wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    site = Path(subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True, timeout=60).stdout.strip())
    # the dependencies: this environment's site-packages as a plain path (no .pth files
    # of it are processed, so the checkout's editable install does not leak in)
    (site / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
          "--no-index", "-q", str(wheel)], cwd=tmp_path, env=dict(os.environ), timeout=300)

    env = {k: v for k, v in os.environ.items()
           if k not in ("STIMMUNG_MODELS_DIR", "STIMMUNG_SQL_DIR", "STIMMUNG_CONFIG",
                        "STIMMUNG_WAREHOUSE_URL", "PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{venv / 'bin'}:{env.get('PATH', '')}"
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([str(python), "-c", "import pipeline; print(pipeline.__file__)"],
                 cwd=work, env=env, timeout=60)
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout

    stimmung = str(venv / "bin" / "stimmung")
    init = _run([stimmung, "init", "stimmung.yaml"], cwd=work, env=env, timeout=300)
    assert "wrote stimmung.yaml" in init and "warehouse ready" in init
    assert (work / "stimmung.yaml").read_text(encoding="utf-8") == (
        REPO / "examples" / "stimmung.yaml").read_text(encoding="utf-8")
    run = subprocess.run([stimmung, "run"], cwd=work, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-2000:]  # the example config runs as written

    # the whole demo with the accurate profile: ~3 min on a quiet machine; the limit only
    # guards against a hang (a loaded CI machine took over 600 s)
    demo = _run([stimmung, "demo", "--workdir", str(work / "demo")], cwd=work, env=env,
                timeout=1500)
    reports = [line.split("report: ", 1)[1] for line in demo.splitlines()
               if line.startswith("report: ")]
    assert len(reports) == 2, demo[-2000:]
    for report in reports:
        html = Path(report).read_text(encoding="utf-8")
        assert len(html) > 5000
        # scored by a bundled model, read from the installed package's data
        assert "stimmung-multilingual" in html or "stimmung-sentiment" in html
