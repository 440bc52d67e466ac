"""Section "Waiting for an answer" (`sections/response_queue.html.j2`): open questions and
complaints."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.report.data import ReportData
from pipeline.report.formatting import (
    SHORT_TEXT_LIMIT,
    fmt_compact,
    format_age,
    format_datetime,
    lang_tag,
    safe_url,
    truncate_text,
)
from pipeline.report.i18n import _, n_

SECTION_ID = "response-queue"


@dataclass(frozen=True, slots=True)
class QueueView:
    """A question or complaint that waits for an answer."""

    rank: int
    intent: str  # "question" | "complaint" (css class)
    intent_label: str
    age: str
    old: bool  # waiting for two days or more
    posted: str
    source: str
    community: str | None
    lang: str
    sentiment: str | None
    title: str | None
    text: str
    reach: str
    href: str | None
    url_text: str | None


def build(data: ReportData) -> list[QueueView]:
    intents = {"question": _("Question"), "complaint": _("Complaint")}
    sentiments = {"negative": _("negative"), "neutral": _("neutral"),
                  "positive": _("positive")}
    views = []
    for i, q in enumerate(data.response_queue, 1):
        href = safe_url(q.url)
        intent = q.intent if q.intent in intents else "other"
        views.append(QueueView(
            rank=i,
            intent=intent,
            intent_label=intents.get(q.intent, truncate_text(q.intent, 30).capitalize()),
            age=format_age(q.age_hours),
            old=q.age_hours >= 48,
            posted=format_datetime(q.created_at),
            source=q.source,
            community=q.community or None,
            lang=lang_tag(q.lang),
            sentiment=sentiments.get(q.sentiment or "", q.sentiment) or None,
            title=truncate_text(q.title, 200) if q.title else None,
            text=truncate_text(q.text, SHORT_TEXT_LIMIT),
            reach=fmt_compact(q.reach),
            href=href,
            url_text=None if href or not q.url else truncate_text(q.url, 200),
        ))
    return views


def queue_intro(queue: list[QueueView]) -> str:
    """``3 questions and 1 complaint``: only the kinds that are there."""
    counts: dict[str, int] = {}
    for q in queue:
        counts[q.intent] = counts.get(q.intent, 0) + 1
    words = {
        "question": lambda n: n_("%(n)s question", "%(n)s questions", n),
        "complaint": lambda n: n_("%(n)s complaint", "%(n)s complaints", n),
        "other": lambda n: n_("%(n)s other post", "%(n)s other posts", n),
    }
    parts = [words[k](counts[k]) for k in words if counts.get(k)]
    if len(parts) < 2:
        return "".join(parts)
    return _("%(list)s and %(last)s", list=", ".join(parts[:-1]), last=parts[-1])
