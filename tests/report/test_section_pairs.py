"""Each report section is one module in `pipeline/report/sections/` and one template of the
same name in `templates/sections/`, and the page includes them in `render.SECTIONS` order."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.report import render

REPORT = Path(render.__file__).parent
TEMPLATES = REPORT / "templates"


def _module_names() -> list[str]:
    return sorted(p.stem for p in (REPORT / "sections").glob("*.py") if p.stem != "__init__")


def test_every_section_module_has_its_template_and_back() -> None:
    templates = sorted(p.name.removesuffix(".html.j2")
                       for p in (TEMPLATES / "sections").glob("*.html.j2"))
    assert _module_names() == templates
    assert sorted(s.__name__.rsplit(".", 1)[1] for s in render.SECTIONS) == templates


def test_section_id_is_the_module_name_and_marks_its_template() -> None:
    for section in render.SECTIONS:
        name = section.__name__.rsplit(".", 1)[1]
        assert name.replace("_", "-") == section.SECTION_ID
        template = (TEMPLATES / "sections" / f"{name}.html.j2").read_text(encoding="utf-8")
        assert f'id="{section.SECTION_ID}"' in template, name
        assert callable(section.build), name


def test_page_includes_the_sections_in_their_order() -> None:
    page = (TEMPLATES / "report.html.j2").read_text(encoding="utf-8")
    included = re.findall(r'{% include "sections/(\w+)\.html\.j2" %}', page)
    assert included == [s.__name__.rsplit(".", 1)[1] for s in render.SECTIONS]
    assert tuple(i.replace("_", "-") for i in included) == render.SECTION_IDS
