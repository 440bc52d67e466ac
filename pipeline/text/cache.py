"""The folder for files derived once and reused by later processes (mapped models)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir() -> Path:
    """`$STIMMUNG_CACHE_DIR`, else `$XDG_CACHE_HOME/stimmung`, else `~/.cache/stimmung`
    (the folder `pipeline.nlp.encoder` caches its graphs in)."""
    env = os.environ.get("STIMMUNG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stimmung"
