"""The layout holds: no module imports from a higher floor, and ARCHITECTURE.md names
every top-level module and package of `pipeline/` and every top-level folder of the repo."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pipeline"

# lowest first; a module may import from its own floor and the floors below it
FLOORS: tuple[frozenset[str], ...] = (
    frozenset({"", "records", "redact", "timing", "resources", "periods", "retry", "text"}),
    frozenset({"sources", "nlp", "warehouse"}),
    frozenset({"config"}),
    frozenset({"reputation"}),
    frozenset({"report", "export"}),
    frozenset({"stages"}),
    frozenset({"demo", "evaluation"}),
    frozenset({"cli", "api"}),
)


def floor_of(module: str) -> int | None:
    """The floor of `pipeline.<top>…` (None for a top-level name no floor lists)."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else ""
    return next((i for i, names in enumerate(FLOORS) if top in names), None)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """Every `pipeline…` module imported anywhere in the file (function-level too)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pipeline":
                found += [(node.lineno, f"pipeline.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found
            if name == "pipeline" or name.startswith("pipeline.")]


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_bundled" not in p.parts)


def test_every_module_has_a_floor() -> None:
    homeless = sorted({module_name(p) for p in modules() if floor_of(module_name(p)) is None})
    assert not homeless, f"add these to a floor in tests/test_layout.py: {homeless}"


def test_no_import_from_a_higher_floor() -> None:
    climbs = []
    for path in modules():
        me = module_name(path)
        mine = floor_of(me)
        for line, target in imported(ast.parse(path.read_text(encoding="utf-8"))):
            theirs = floor_of(target)
            if mine is not None and theirs is not None and theirs > mine:
                climbs.append(f"{path.relative_to(ROOT)}:{line} {me} (floor {mine}) "
                              f"imports {target} (floor {theirs})")
    assert not climbs, "\n".join(climbs)


def test_the_floor_check_sees_a_climb() -> None:
    tree = ast.parse("def f():\n    from pipeline.stages.run import run\n")
    assert imported(tree) == [(2, "pipeline.stages.run")]
    assert floor_of("pipeline.report.write") < floor_of("pipeline.stages.run")  # type: ignore[operator]
    assert floor_of("pipeline.records") == 0 and floor_of("pipeline.newthing") is None


# folders that are made by a build or a run (.gitignore), never written by hand
IGNORED = {"build", "dist", "reports", "stimmung.egg-info", "__pycache__"}


def _named_in_architecture() -> set[str]:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return set(re.findall(r"`([\w./-]+?)/?`", text))


def test_architecture_names_every_top_level_module_and_folder() -> None:
    named = _named_in_architecture()
    in_package = {f"pipeline/{p.name}" for p in PACKAGE.iterdir()
                  if not p.name.startswith(("_", ".")) and p.name != "py.typed"
                  and (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))}
    tracked_dirs = {p.name for p in ROOT.iterdir()
                    if p.is_dir() and not p.name.startswith(".") and p.name not in IGNORED}
    missing = sorted(m for m in in_package if m not in named and m.removesuffix(".py") not in named)
    missing += sorted(f"{d}/" for d in tracked_dirs if d not in named and f"{d}/" not in named)
    assert not missing, f"ARCHITECTURE.md does not name: {missing}"
