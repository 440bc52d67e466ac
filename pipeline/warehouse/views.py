"""BI views (`sql/views/*.sql`): derived objects, (re)created with the schema.

They are applied when a migration moved the schema or a view is missing, and by
`stimmung init` (run it after changing a view file).
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import Engine, inspect, text

_NAME = re.compile(r"CREATE\s+VIEW\s+(\w+)", re.IGNORECASE)


def views_dir() -> Path:
    """The bundled `sql/views` (package data), or `$STIMMUNG_SQL_DIR` when set."""
    from pipeline.resources import views_dir as _bundled_views

    return _bundled_views()


def view_files() -> list[tuple[str, str]]:
    """(view name, CREATE VIEW statement) in file order (dependencies first)."""
    found = []
    for path in sorted(views_dir().glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        match = _NAME.search(sql)
        if match is None:
            raise ValueError(f"{path}: expected a CREATE VIEW statement")
        found.append((match.group(1), sql.strip().rstrip(";")))
    return found


def apply_views(engine: Engine) -> list[str]:
    views = view_files()
    with engine.begin() as conn:
        for name, _ in reversed(views):
            conn.execute(text(f"DROP VIEW IF EXISTS {name}"))
        for _, sql in views:
            conn.execute(text(sql))
    return [name for name, _ in views]


def missing_views(engine: Engine) -> list[str]:
    present = set(inspect(engine).get_view_names())
    return [name for name, _ in view_files() if name not in present]
