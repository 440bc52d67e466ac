"""`stimmung demo`: write the demo corpus, serve its feeds locally, run the real pipeline."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import load_config
from pipeline.demo.corpus import DemoManifest, write_demo_data
from pipeline.demo.server import serve_directory
from pipeline.stages.base import open_warehouse
from pipeline.stages.progress import Progress, no_progress
from pipeline.stages.run import RunResult, run

KEY_FILE = ".pseudonym-key"


@dataclass(slots=True)
class DemoResult:
    config_path: Path
    run: RunResult
    alerts: list[dict[str, Any]]
    reports: list[Path]
    manifest: DemoManifest


def demo_config(manifest: DemoManifest, base_url: str, data_dir: Path) -> dict[str, Any]:
    """A config for the demo: the local feed URLs, the JSONL file, the demo brands (with
    their official accounts)."""
    info = manifest.to_dict()
    sources: list[dict[str, Any]] = [
        {"name": feed["name"], "kind": "feed",
         "options": {"url": f"{base_url}/{feed['path']}",
                     "community_from": feed.get("community_from", "feed")}}
        for feed in info["feeds"]
    ]
    sources += [
        {"name": file["name"], "kind": "file", "options": {
            "path": str(data_dir / file["path"]), "mapping": file["mapping"],
            "engagement": file.get("engagement", {})}}
        for file in info["files"]
    ]
    keys = ("name", "aliases", "query", "competitors", "official_accounts")
    brands = [{key: b[key] for key in keys if key in b} for b in info["brands"]]
    return {
        "warehouse": {"url": "sqlite:///stimmung.db"},
        "http": {"contact": "demo@stimmung.invalid", "max_retries": 1},
        "brands": brands,
        "sources": sources,
        "report": {"output_dir": "reports", "days": 28},
    }


def _pseudonym_key(workdir: Path) -> None:
    """Real deployments set STIMMUNG_PSEUDONYM_KEY; the demo keeps a key in its workdir."""
    if os.environ.get("STIMMUNG_PSEUDONYM_KEY"):
        return
    key_file = workdir / KEY_FILE
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32), encoding="utf-8")
        key_file.chmod(0o600)
    os.environ["STIMMUNG_PSEUDONYM_KEY"] = key_file.read_text(encoding="utf-8").strip()


def run_demo(workdir: Path, *, progress: Progress = no_progress,
             warehouse_url: str | None = None) -> DemoResult:
    from pipeline.report.write import write_report
    from pipeline.reputation.alerts import list_alerts

    workdir.mkdir(parents=True, exist_ok=True)
    _pseudonym_key(workdir)
    data_dir = workdir / "data"
    manifest = write_demo_data(data_dir)
    with serve_directory(data_dir) as base_url:
        raw = demo_config(manifest, base_url, data_dir.resolve())
        if warehouse_url:
            raw["warehouse"]["url"] = warehouse_url
        config_path = workdir / "stimmung.yaml"
        config_path.write_text(
            "# written by `stimmung demo`; the feed URLs point at its local server\n"
            + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
        config = load_config(config_path)
        engine = open_warehouse(config)
        result = run(engine, config, progress=progress)
    with engine.connect() as conn:
        alerts = list_alerts(conn)
    rivals = {c for b in config.brands for c in b.competitors}
    reports = [write_report(engine, config, b.name, None, None, None)
               for b in config.brands if b.name not in rivals]
    engine.dispose()
    return DemoResult(config_path, result, alerts, reports, manifest)
