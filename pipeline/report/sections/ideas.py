"""Section "Ideas from customers" (`sections/ideas.html.j2`)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    SHORT_TEXT_LIMIT,
    fmt_compact,
    fmt_long_date,
    lang_tag,
    safe_url,
    truncate_text,
)

SECTION_ID = "ideas"


@dataclass(frozen=True, slots=True)
class IdeaView:
    """A suggestion from a customer."""

    day: str
    source: str
    community: str | None
    lang: str
    text: str
    reach: str
    href: str | None
    url_text: str | None


def build(data: ReportData) -> list[IdeaView]:
    views = []
    for idea in data.ideas:
        href = safe_url(idea.url)
        views.append(IdeaView(
            day=fmt_long_date(idea.created_at.date()),
            source=idea.source,
            community=idea.community or None,
            lang=lang_tag(idea.lang),
            text=truncate_text(idea.text, SHORT_TEXT_LIMIT),
            reach=fmt_compact(idea.reach),
            href=href,
            url_text=None if href or not idea.url else truncate_text(idea.url, 200),
        ))
    return views
