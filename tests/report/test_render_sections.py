"""Every section of the report, filled and empty: what a brand manager sees, and that it is safe.

A rich synthetic `ReportData` (every list populated, hostile text in every place post text
is shown) and an empty one are rendered with `render_html` and parsed with lxml.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline.report import charts
from pipeline.report.data import (
    AlertSummary,
    BrandKpis,
    ChiefRow,
    CommunityRow,
    Coverage,
    DayPoint,
    Idea,
    Kpis,
    PostExample,
    ProblemSummary,
    QueueItem,
    ReportData,
    ShareOfVoice,
    SourceHealth,
)
from pipeline.report.formatting import fmt_compact, format_age, short_author
from pipeline.report.render import SECTION_IDS, build_view, render_html

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
HOSTILE = f"Kaffeekraft is broken {XSS_SCRIPT} {XSS_IMG}"
START = date(2026, 11, 2)
DAYS = 14
END = START + timedelta(days=DAYS - 1)
BRAND = "Kaffeekraft"
AUTHORS = ("a_3f9c0d1e2b3a4c5d6e7f", "a_77aa00bb11cc22dd33ee", "a_0123456789abcdef0123")
AT = datetime(2026, 11, 14, 9, 30, tzinfo=UTC)


def _days() -> list[DayPoint]:
    out = []
    for i in range(DAYS):
        neg = 4 + (12 if i == 10 else i % 3)
        neu, pos = 18 + i % 4, 14 + (i * 5) % 6
        rep = 30 - i * 2.5 - (25 if i >= 10 else 0)
        out.append(DayPoint(
            day=START + timedelta(days=i), volume=neg + neu + pos, negative=neg, neutral=neu,
            positive=pos, net_sentiment=(pos - neg) / (pos + neg), share_of_voice=0.45,
            reputation=None if i == 3 else rep, reach=200.0 + 40 * i,
        ))
    return out


def _alert_details() -> dict[str, Any]:
    return {
        "window": {"start": "2026-11-12T00:00:00+00:00", "end": "2026-11-13T00:00:00+00:00"},
        "top_posts": [
            {"post_id": "x1", "url": "javascript:alert(5)", "source": "forum",
             "community": "support", "text": HOSTILE, "negative": 0.97},
            {"post_id": "x2", "url": "https://forum.example.org/t/42", "source": "reddit",
             "community": "r/espresso", "text": "Milk frother leaks again", "negative": 0.91},
        ],
        "sources": [{"name": "forum", "negative": 9}, {"name": "reddit", "negative": 4}],
        "communities": [{"name": "support", "negative": 7}],
        "problems": [{"problem_id": "p1", "label": "milk frother leaks", "negative": 8,
                      "expected": 1.25}],
        "keyphrases": [{"phrase": "firmware update", "posts": 6, "expected": 0.5}],
        "report": "file:///srv/reports/kaffeekraft.html",
    }


def rich_data() -> ReportData:
    """Two weeks of a brand with every section filled, hostile text in every post slot."""
    return ReportData(
        brand=BRAND,
        competitors=["Brühwerk", "Bohnenglück"],
        period_start=START,
        period_end=END,
        generated_at=datetime(2026, 11, 16, 6, 0, tzinfo=UTC),
        kpis=Kpis(volume=812, volume_prev=640, net_sentiment=0.21, net_sentiment_prev=0.34,
                  negative_share=0.19, share_of_voice=0.46, negative_share_prev=0.14,
                  share_of_voice_prev=0.41, reputation=12.4, reputation_prev=26.0,
                  reach=48_200.0, reach_prev=39_900.0),
        daily=_days(),
        share_of_voice=[ShareOfVoice(BRAND, 812, 0.46), ShareOfVoice("Brühwerk", 610, 0.35),
                        ShareOfVoice("Bohnenglück", 335, 0.19)],
        most_negative=[PostExample(
            post_id=f"n{i}", created_at=AT, source="forum", community="support",
            url=f"https://forum.example.org/n/{i}", lang="en", title=None,
            text=HOSTILE if i == 0 else f"Support never answers ({i})",
            negative_score=0.95 - i / 10) for i in range(3)],
        alerts=[
            AlertSummary(START + timedelta(days=10), "negative_spike", 8,
                         "Negative share 41% (usually 14%)", alert_id="al1", status="open",
                         details=_alert_details()),
            AlertSummary(START + timedelta(days=11), "hourly_negative_spike", 5,
                         "12 negative mentions in one hour", alert_id="al2",
                         status="acknowledged",
                         hour=datetime(2026, 11, 13, 14, 0, tzinfo=UTC),
                         details={"report": "https://reports.example.org/al2"}),
            AlertSummary(START + timedelta(days=4), "volume_spike", 2, "Mentions ×3",
                         alert_id="al3", status="resolved"),
        ],
        model="stimmung-lr-multilingual 2026.11",
        competitor_kpis=[
            BrandKpis(BRAND, True, 812, 0.21, 12.4, 0.19, 0.46),
            BrandKpis("Brühwerk", False, 610, 0.38, 31.0, 0.09, 0.35),
            BrandKpis("Bohnenglück", False, 335, -0.12, -8.6, 0.31, 0.19),
        ],
        problems=[
            ProblemSummary("p1", "milk frother leaks", recent=23, before=4, emerging_score=6.1,
                           emerging=True, share_negative=0.87,
                           daily=[0] * 20 + [1, 0, 1, 0, 0, 1, 1, 0, 2, 3, 4, 5, 3, 4, 2],
                           examples=[HOSTILE, "The frother leaks all over the counter."]),
            ProblemSummary("p2", "app login fails", recent=5, before=18, emerging_score=0.0,
                           emerging=False, share_negative=0.6, daily=[1] * 35,
                           examples=["Cannot log in to the app since Monday."]),
        ],
        ideas=[Idea("i1", AT, "reddit", "r/espresso", "https://reddit.example.com/i1", "en",
                    f"Please add a descaling reminder {XSS_SCRIPT}", 1450.0),
               Idea("i2", AT, "forum", None, "javascript:alert(2)", "de",
                    "Ein Milchbehälter aus Glas wäre toll.", 12.0)],
        communities=[
            CommunityRow("reddit", "r/espresso", 310, 200, 0.55, 40, 150, 120, 0.5, 88, 22_000,
                         365.0),
            CommunityRow("forum", "support", 220, 240, -0.0833, 90, 100, 30, -0.5, 61, 5_400,
                         220.0),
            CommunityRow("feed", "kaffee-blog", 35, 0, None, 2, 20, 13, 0.73, 3, 900, 52.5),
        ],
        chiefs=[
            ChiefRow(AUTHORS[0], "reddit", "r/espresso", 42, 17, 310.0, 1.0, 0.71, 96.0,
                     3, 6, 8, 0.45),
            ChiefRow(AUTHORS[1], "forum", "support", 30, 12, 120.0, 0.42, 0.5, 71.5, 7, 3, 2,
                     -0.56),
            ChiefRow(AUTHORS[2], "reddit", None, 9, 4, 12.0, 0.05, 0.14, 20.0, 0, 4, 0, None),
        ],
        response_queue=[
            QueueItem("q1", AT, "forum", "support", "javascript:alert(3)", XSS_IMG, HOSTILE,
                      "en", "complaint", "negative", 830.0, 52.0, 9.1),
            QueueItem("q2", AT, "reddit", "r/espresso", "https://reddit.example.com/q2", None,
                      "How do I descale the Kaffeekraft One?", "en", "question", "neutral",
                      40.0, 3.2, 4.3),
        ],
        sources=[
            SourceHealth("reddit", "reddit", "ok", AT, 120, 0, None),
            SourceHealth("forum", "forum", "failed", datetime(2026, 11, 10, tzinfo=UTC), 0, 3,
                         f"HTTP 503 {XSS_SCRIPT}"),
            SourceHealth("blog", "feed", "disabled", None, None, 5, None),
        ],
        coverage=Coverage(mentions=812, scored=790, human_labels=14,
                          by_lang={"de": 480, "en": 320, "fr": 12}),
        models={"sentiment": "stimmung-lr-multilingual 2026.11", "intent": "intent-rules 3",
                "keyphrases": "yake 1", "problems": "problem-clusters 2"},
        reputation_prior=5.0,
        trend_days=7,
    )


def empty_data() -> ReportData:
    """A brand nobody talked about: every list empty."""
    return ReportData(
        brand=BRAND, competitors=[], period_start=START, period_end=END,
        generated_at=datetime(2026, 11, 16, 6, 0, tzinfo=UTC),
        kpis=Kpis(0, 0, None, None, None, None), daily=[], share_of_voice=[],
        most_negative=[],
    )


def _doc(data: ReportData) -> Any:
    return lxml_html.document_fromstring(render_html(data))


def _section(doc: Any, sid: str) -> Any:
    found = doc.xpath(f"//*[@id='{sid}']")
    assert len(found) == 1, sid
    return found[0]


def _text(el: Any) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


@pytest.fixture(scope="module")
def rich() -> Any:
    return _doc(rich_data())


@pytest.fixture(scope="module")
def rich_html() -> str:
    return render_html(rich_data())


@pytest.mark.parametrize("make", [rich_data, empty_data], ids=["rich", "empty"])
def test_every_section_once_and_in_order(make: Any) -> None:
    doc = _doc(make())
    ids = [el.get("id") for el in doc.xpath("//*[@id]")]
    assert [i for i in ids if i in SECTION_IDS] == list(SECTION_IDS)
    for sid in SECTION_IDS:
        assert ids.count(sid) == 1, sid
        assert _text(_section(doc, sid)), f"#{sid} is empty"
    # no <section> the list does not know about
    assert {s.get("id") for s in doc.xpath("//section")} <= set(SECTION_IDS)
    assert len(SECTION_IDS) == len(set(SECTION_IDS))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", sid) for sid in SECTION_IDS)


def test_headline_says_what_changed_what_burns_what_waits(rich: Any) -> None:
    items = [_text(li) for li in _section(rich, "headline").xpath(".//li")]
    text = " | ".join(items)
    assert "Reputation +12 — down 14 pts from +26 in the previous period" in text
    assert "812 mentions — +27% vs previous period; share of voice 46%" in text
    assert "3 alerts — 1 still open; the strongest: negative spike" in text
    assert "Rising problem: “milk frother leaks” — 23 posts in the last 7 days" in text
    assert ("2 posts wait for an answer — 1 question and 1 complaint; "
            "the oldest has waited 2 days") in text
    assert "2 ideas" in text
    # the worst news is marked by a shape, not only by colour
    headline = _section(rich, "headline")
    assert headline.xpath(".//li[contains(@class,'tone-bad')]/span[@class='mark']")


def test_kpis_change_against_previous_period(rich: Any) -> None:
    cards = {c.get("data-kpi"): _text(c) for c in _section(rich, "kpis").xpath(".//*[@data-kpi]")}
    assert list(cards) == ["reputation", "net_sentiment", "negative_share", "mentions", "reach",
                           "share_of_voice"]
    assert cards["reputation"].startswith("Reputation +12 ▼ −14 pts vs previous period")
    assert cards["net_sentiment"].startswith("Net sentiment +21 ▼ −13 pts vs previous period")
    assert cards["negative_share"].startswith("Negative share 19% ▲ +5 pts vs previous period")
    assert cards["mentions"].startswith("Mentions 812 ▲ +27% vs previous period")
    assert cards["reach"].startswith("Reach 48K ▲ +21% vs previous period")
    assert cards["share_of_voice"].startswith("Share of voice 46% ▲ +5 pts vs previous period")
    kpis = _section(rich, "kpis")
    # more negative share is bad, more share of voice is good
    assert kpis.xpath(".//*[@data-kpi='negative_share']//*[contains(@class,'change bad')]")
    assert kpis.xpath(".//*[@data-kpi='share_of_voice']//*[contains(@class,'change good')]")


def test_competitor_comparison_rows_and_chart(rich: Any) -> None:
    sec = _section(rich, "competitors")
    rows = [[_text(td) for td in tr.xpath("./td")] for tr in sec.xpath(".//tbody/tr")]
    assert [r[0] for r in rows] == [f"{BRAND} you", "Brühwerk", "Bohnenglück"]
    assert rows[0][1:] == ["+12", "+21", "19%", "812", "46%"]
    assert rows[2][1:3] == ["−9", "−12"]
    assert "self" in sec.xpath(".//tbody/tr")[0].get("class")
    assert "is #2 of 3 brands on reputation and #1 of 3 on mentions" in _text(sec)
    svg = sec.xpath(".//*[local-name()='svg']")
    assert len(svg) == 1 and "compare" in svg[0].get("class")
    assert svg[0].get("role") == "img" and svg[0].get("aria-label")


def test_reputation_chart_has_axis_zero_line_and_a_gap(rich: Any, rich_html: str) -> None:
    sec = _section(rich, "reputation")
    svgs = sec.xpath(".//*[local-name()='svg']")
    assert len(svgs) == 1
    svg = svgs[0]
    assert svg.get("class") == "chart reputation" and svg.get("role") == "img"
    assert "Reputation" in svg.get("aria-label")
    labels = [_text(t) for t in svg.xpath(".//*[local-name()='g'][contains(@class,'axis-left')]"
                                           "/*[local-name()='text']")]
    assert labels == ["−100", "−50", "0", "+50", "+100"]
    assert svg.xpath(".//*[local-name()='line'][@class='zero-line']")
    # one point per scored day (day 4 has no score: the line breaks there)
    assert len(svg.xpath(".//*[local-name()='circle'][@class='rep-point']")) == DAYS - 1
    assert len(svg.xpath(".//*[local-name()='polyline']")) == 4  # two segments, each haloed
    assert svg.xpath(".//*[local-name()='g'][@class='alert-marker']")
    assert "trailing 7 days" in _text(sec)
    # the whole page is well-formed where it is SVG
    for m in re.findall(r"<svg\b.*?</svg>", rich_html, re.S):
        etree.fromstring(m.encode())


def test_problems_with_sparklines_and_examples(rich: Any) -> None:
    sec = _section(rich, "problems")
    items = sec.xpath(".//li[contains(@class,'problem')]")
    assert len(items) == 2
    first = _text(items[0])
    assert "milk frother leaks" in first and "▲ rising" in first
    assert "23 posts in the last 7 days · 4 in the 28 days before · 87% negative" in first
    assert "emerging" in items[0].get("class") and "emerging" not in items[1].get("class")
    assert [_text(e) for e in items[0].xpath(".//li[@class='example']")][1] == (
        "“The frother leaks all over the counter.”")
    spark = items[0].xpath(".//*[local-name()='svg']")[0]
    assert spark.get("class") == "spark" and spark.get("role") == "img"
    assert "milk frother leaks" in spark.get("aria-label")


def test_ideas_listed_with_safe_links(rich: Any) -> None:
    sec = _section(rich, "ideas")
    ideas = sec.xpath(".//li[@class='idea']")
    assert len(ideas) == 2
    assert "Please add a descaling reminder" in _text(ideas[0]) and "reach 1.4K" in _text(ideas[0])
    assert [a.get("href") for a in ideas[0].xpath(".//a")] == ["https://reddit.example.com/i1"]
    assert ideas[1].xpath(".//a") == [] and "javascript:alert(2)" in _text(ideas[1])


def test_tribes_keep_the_given_rank_order(rich: Any) -> None:
    rows = _section(rich, "tribes").xpath(".//tbody/tr")
    cells = [[_text(td) for td in tr.xpath("./td")] for tr in rows]
    assert [c[0] for c in cells] == ["1", "2", "3"]
    assert [c[1] for c in cells] == ["r/espresso reddit", "support forum", "kaffee-blog feed"]
    assert [c[3] for c in cells] == ["+55%", "−8%", "new"]
    assert cells[0][2] == "310" and cells[0][5] == "+48" and cells[0][7] == "22K"  # 80 / (160 + K)
    widths = [s.get("style") for s in rows[0].xpath(".//span[@class='mix']/span")]
    assert widths == ["width: 13%", "width: 48%", "width: 39%"]


def test_chiefs_show_short_pseudonyms_only(rich: Any, rich_html: str) -> None:
    rows = _section(rich, "chiefs").xpath(".//tbody/tr")
    authors = [_text(r.xpath(".//code[@class='author']")[0]) for r in rows]
    assert authors == ["a_3f9c…", "a_77aa…", "a_0123…"]
    for full in AUTHORS:
        assert full not in rich_html  # nowhere, not even in an attribute
    first = [_text(td) for td in rows[0].xpath("./td")]
    assert first[3] == "96" and first[4] == "1.00" and first[5] == "0.71"
    assert short_author("a_3f9c0d1e2b") == "a_3f9c…"


def test_response_queue_links_and_age(rich: Any) -> None:
    sec = _section(rich, "response-queue")
    items = sec.xpath(".//li[contains(@class,'queue-item')]")
    assert [i.get("class") for i in items] == ["queue-item intent-complaint",
                                               "queue-item intent-question"]
    first, second = _text(items[0]), _text(items[1])
    assert "Complaint" in first and "waiting 2 days" in first and "reach 830" in first
    assert "Question" in second and "waiting 3 hours" in second
    assert items[0].xpath(".//a") == []  # javascript: never becomes a link
    assert "javascript:alert(3)" in first
    assert items[0].xpath(".//*[contains(@class,'age old')]")
    assert [a.get("href") for a in items[1].xpath(".//a")] == ["https://reddit.example.com/q2"]
    assert "1 question and 1 complaint that no official account" in _text(sec)


def test_alerts_explain_themselves(rich: Any) -> None:
    sec = _section(rich, "alerts")
    rows = sec.xpath(".//tr[@class='alert']")
    assert len(rows) == 3
    assert [_text(r.xpath("./td")[0]) for r in rows] == [
        "Nov 6, 2026", "Nov 12, 2026", "Nov 13, 2026 14:00–15:00 UTC"]
    assert [_text(r.xpath("./td")[4]) for r in rows] == ["resolved", "open", "acknowledged"]
    details = sec.xpath(".//tr[@class='alert-details']")
    assert len(details) == 3
    assert "No explanation was stored" in _text(details[0])
    why = _text(details[1])
    assert "Milk frother leaks again" in why and "negative 0.91" in why
    assert "Problem milk frother leaks: 8 negative posts, 1.2 expected" in why
    assert "“firmware update”: 6 posts, 0.5 expected" in why
    assert "Sources: forum (9), reddit (4)" in why and "Communities: support (7)" in why
    hrefs = [a.get("href") for a in details[1].xpath(".//a")]
    assert hrefs == ["https://forum.example.org/t/42"]  # not javascript:, not file:
    # a file: report link means nothing to a reader: not shown; an http(s) one is a link
    assert "file:" not in why and "kaffeekraft.html" not in why
    assert [a.get("href") for a in details[2].xpath(".//a")] == ["https://reports.example.org/al2"]


def test_method_note_lists_models_coverage_and_sources(rich: Any) -> None:
    sec = _section(rich, "method")
    text = _text(sec)
    versions = [_text(li) for li in sec.xpath(".//li[@class='model-version']")]
    assert versions == ["Sentiment: stimmung-lr-multilingual 2026.11",
                        "Intent: intent-rules 3", "Keyphrases: yake 1",
                        "Problems: problem-clusters 2"]
    assert "K = 5" in text and "trailing 7 days" in text
    assert "100 × Σ w·s ÷ (Σ w + K)" in text
    assert "812 mentions, 790 scored by the sentiment model (97%), 14 with a human label" in text
    assert "de 59% · en 39% · fr 1%" in text
    rows = [[_text(td) for td in tr.xpath("./td")]
            for tr in sec.xpath(".//tr[@class='source-row']")]
    assert [(r[0], r[2]) for r in rows] == [("blog", "disabled"), ("forum", "failed"),
                                            ("reddit", "ok")]
    # without period figures: the health of the last runs (no "items" of a rerun)
    assert rows[1][5] == "3 failures in a row" and rows[1][6].startswith("HTTP 503")
    assert "2 sources not healthy" in text


def test_hostile_text_is_escaped_everywhere_it_is_shown(rich: Any, rich_html: str) -> None:
    assert XSS_SCRIPT not in rich_html and XSS_IMG not in rich_html
    assert "<script" not in rich_html.lower() and "<img" not in rich_html.lower()
    assert not rich.xpath("//script | //img | //*[@onerror]")
    for sid in ("problems", "ideas", "response-queue", "alerts", "most-negative", "method"):
        assert XSS_SCRIPT in _text(_section(rich, sid)), sid  # shown, as text
    for sid in ("problems", "response-queue", "alerts", "most-negative"):
        assert XSS_IMG in _text(_section(rich, sid)), sid
    hrefs = rich.xpath("//a/@href")
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs


def test_empty_report_explains_every_section() -> None:
    doc = _doc(empty_data())
    expect = {
        "competitors": "has no competitors configured",
        "reputation": "No reputation score for Kaffeekraft",
        "problems": "No customer problems were found",
        "response-queue": "Nothing waits for an answer",
        "ideas": "No suggestions from customers",
        "tribes": "No communities discussed Kaffeekraft",
        "chiefs": "No author who mentions Kaffeekraft stood out",
        "experts": "No community expert answered",
    }
    for sid, phrase in expect.items():
        sec = _section(doc, sid)
        assert sec.xpath(".//*[@class='empty']"), sid
        assert phrase in _text(sec), sid
    method = _text(_section(doc, "method"))
    assert "Coverage not measured for this report." in method
    assert "No source health was recorded." in method
    assert "Nothing waits for an answer" in _text(_section(doc, "headline"))
    assert not doc.xpath("//*[local-name()='svg']")


def test_competitors_configured_but_without_figures() -> None:
    data = empty_data()
    data.competitors = ["Brühwerk"]
    text = _text(_section(_doc(data), "competitors"))
    assert "No figures for Brühwerk in this period yet" in text


def test_view_helpers() -> None:
    assert [fmt_compact(x) for x in (0, 950, 1449, 12_345, 48_200, 2_500_000)] == [
        "0", "950", "1.4K", "12K", "48K", "2.5M"]
    # one duration format: hours up to two days, then days
    assert [format_age(h) for h in (0.2, 1, 5.9, 47.9, 52, 24 * 9 + 5, 242)] == [
        "< 1 hour", "1 hour", "5 hours", "47 hours", "2 days", "9 days", "10 days"]
    view = build_view(rich_data())
    assert view.alerts_open == 1 and view.queue_questions == 1 and view.queue_complaints == 1


def test_reputation_summary_and_shared_sparkline_scale() -> None:
    view = build_view(rich_data())
    # the latest day is also the lowest: said once
    assert view.reputation_summary == "Latest: −28 on Nov 15, 2026; highest: +30 on Nov 2, 2026."
    # both problems share one scale: the flat one (1 a day) stays low next to a peak of 5
    flat = etree.fromstring(str(view.problems[1].spark).encode())
    ys = {float(xy.split(",")[1]) for xy in
          flat.xpath("//*[local-name()='polyline']")[0].get("points").split()}
    assert len(ys) == 1 and ys.pop() > 34 * 0.7


@pytest.mark.parametrize("n", [0, 1, 60])
def test_new_charts_are_well_formed_for_0_1_60_points(n: int) -> None:
    days = [START + timedelta(days=i) for i in range(n)]
    values: list[float | None] = [((-1) ** i) * 150.0 for i in range(n)]  # clamped to ±100
    rep = etree.fromstring(str(charts.reputation_line(
        days, values, markers=[(START, XSS_SCRIPT)], reference=(0.0, XSS_IMG))).encode())
    assert rep.get("role") == "img" and rep.get("aria-label")
    ys = [float(c.get("cy")) for c in rep.xpath("//*[@class='rep-point']")]
    assert all(36 <= y <= 260 - 34 for y in ys) and len(ys) == n
    spark = etree.fromstring(str(charts.sparkline(list(range(n)), XSS_SCRIPT, recent=7)).encode())
    assert spark.get("class") == "spark" and spark.get("aria-label") == XSS_SCRIPT
    bars = etree.fromstring(str(charts.diverging_bars(
        [f"b{i}" for i in range(n)], values)).encode())
    assert bars.get("role") == "img"


def test_new_charts_escape_text_and_handle_missing_values() -> None:
    svg = str(charts.reputation_line([START, END], [None, None]))
    assert "No reputation score in this period" in svg
    svg = str(charts.reputation_line([START], [10.0], markers=[(START, XSS_SCRIPT)],
                                     reference=(5.0, XSS_IMG)))
    assert XSS_SCRIPT not in svg and XSS_IMG not in svg and "&lt;script&gt;" in svg
    svg = str(charts.diverging_bars([XSS_SCRIPT, "b"], [None, -40.0], highlight="b"))
    assert XSS_SCRIPT not in svg and "no score" in svg
    with pytest.raises(ValueError):
        charts.reputation_line([START], [])
    assert "<polyline" not in str(charts.sparkline([0, 0, 0], "quiet"))


def test_queue_intro_names_only_the_kinds_present_and_unnamed_community() -> None:
    data = rich_data()
    data.response_queue = [q for q in data.response_queue if q.intent == "complaint"]
    data.communities[1].community = ""
    doc = _doc(data)
    intro = _text(_section(doc, "response-queue").xpath(".//p[@class='section-intro']")[0])
    assert intro.startswith("1 complaint that no official account has answered")
    second = _section(doc, "tribes").xpath(".//tbody/tr")[1]
    assert _text(second.xpath("./td")[1]) == "no community forum"
