"""Section "Share of voice" (`sections/share_of_voice.html.j2`): mentions of each brand."""

from __future__ import annotations

from markupsafe import Markup

from pipeline.report import charts
from pipeline.report.data import ReportData

SECTION_ID = "share-of-voice"


def build(data: ReportData) -> tuple[bool, Markup]:
    if not data.competitors:
        return False, Markup("")
    rows = sorted(data.share_of_voice, key=lambda s: (-s.mentions, s.brand != data.brand))
    svg = charts.horizontal_bars(
        [s.brand for s in rows], [s.mentions for s in rows], highlight=data.brand
    )
    return True, svg
