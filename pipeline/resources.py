"""Files the package ships besides code: bundled models, BI views, the example config.

They live at the top of the repository (`models/`, `sql/`, `examples/`), and
`pipeline/_bundled/` links to them, so a checkout and an editable install read them in
place, while a built wheel carries copies as package data (`pyproject.toml`,
`[tool.setuptools.package-data]`). Either way they are found with `importlib.resources`,
never by walking up from `__file__`. `$STIMMUNG_MODELS_DIR` / `$STIMMUNG_SQL_DIR` still
point elsewhere (your own models or views).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["bundled", "example_config_text", "models_dir", "views_dir"]


class ResourceMissing(FileNotFoundError):
    """A file the package should ship is missing (a broken install or build)."""


def bundled(name: str) -> Path:
    """The folder `name` (`models`, `sql`, `examples`) shipped with the package."""
    folder = resources.files("pipeline") / "_bundled" / name
    if not folder.is_dir():
        raise ResourceMissing(
            f"the package has no bundled {name}/ (looked in {folder}); reinstall stimmung "
            "from a complete wheel or checkout")
    # wheels install as plain files: the traversable is a real directory
    return Path(str(folder))


def models_dir() -> Path:
    """The bundled models, or `$STIMMUNG_MODELS_DIR` when set."""
    env = os.environ.get("STIMMUNG_MODELS_DIR")
    return Path(env) if env else bundled("models")


def views_dir() -> Path:
    """The BI views (`sql/views/*.sql`), or `$STIMMUNG_SQL_DIR` when set."""
    env = os.environ.get("STIMMUNG_SQL_DIR")
    return Path(env) if env else bundled("sql") / "views"


def example_config_text() -> str:
    """The annotated example config that `stimmung init` writes."""
    return (resources.files("pipeline") / "_bundled" / "examples" / "stimmung.yaml").read_text(
        encoding="utf-8")
