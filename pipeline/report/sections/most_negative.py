"""Section "Most negative posts" (`sections/most_negative.html.j2`)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report import i18n
from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    fmt_long_date,
    lang_tag,
    safe_url,
    truncate_text,
)

SECTION_ID = "most-negative"


@dataclass(frozen=True, slots=True)
class PostView:
    """A negative post, ready to show: text truncated, url checked."""

    day: str
    source: str
    community: str | None
    lang: str
    title: str | None
    text: str
    score: str
    score_pct: int
    href: str | None  # only http(s) urls become links
    url_text: str | None  # any other url is shown as plain text


def build(data: ReportData) -> list[PostView]:
    views: list[PostView] = []
    for p in sorted(data.most_negative, key=lambda p: -p.negative_score):
        href = safe_url(p.url)
        views.append(PostView(
            day=fmt_long_date(p.created_at.date()),
            source=p.source,
            community=p.community or None,
            lang=lang_tag(p.lang),
            title=truncate_text(p.title, 200) if p.title else None,
            text=truncate_text(p.text),
            score=i18n.num(p.negative_score, 2),
            score_pct=max(0, min(100, round(p.negative_score * 100))),
            href=href,
            url_text=None if href or not p.url else truncate_text(p.url, 200),
        ))
    return views
