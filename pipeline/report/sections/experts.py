"""Section "Community experts" (`sections/experts.html.j2`): regulars who answer in brand threads
without naming the brand; shown like the chiefs."""

from __future__ import annotations

from pipeline.report.data import ReportData
from pipeline.report.sections.chiefs import ChiefView, people

SECTION_ID = "experts"


def build(data: ReportData) -> list[ChiefView]:
    return people(data, data.experts)
