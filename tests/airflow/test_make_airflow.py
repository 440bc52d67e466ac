"""`make airflow` (.ci/airflow.sh): its setup, without starting Airflow standalone.

Checked by hand on this machine: with the setup below, standalone ran the four DAGs on
the demo data green (collect: 3 feeds + the JSONL file; analyze via the asset;
reputation; report), unpaused only once the API answered."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.airflow, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]


def test_setup_writes_demo_config_key_and_current_warehouse_outside_the_checkout(
        tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("AIRFLOW", "STIMMUNG_"))}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW_SETUP_ONLY="1", DEMO_PORT="18781")
    result = subprocess.run([str(REPO / ".ci" / "airflow.sh")], env=env, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    key = home / "pseudonym-key"
    assert len(key.read_text().strip()) == 64
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text() not in result.stdout + result.stderr  # the key is never printed
    config = yaml.safe_load((home / "stimmung.yaml").read_text(encoding="utf-8"))
    assert config["warehouse"]["url"] == "sqlite:///stimmung.db"  # next to the config
    kinds = sorted(s["kind"] for s in config["sources"])
    assert kinds.count("feed") >= 3 and "file" in kinds
    assert all(s["options"]["url"].startswith("http://127.0.0.1:18781/")
               for s in config["sources"] if s["kind"] == "feed")
    assert (home / "stimmung.db").is_file() and (home / "airflow.db").is_file()
    check = subprocess.run([str(Path(sys.executable).with_name("stimmung")), "db", "check",
                            "--config", str(home / "stimmung.yaml")], env=env,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0 and "(current)" in check.stdout, check.stderr
    assert not (REPO / "examples" / "stimmung.db").exists()
