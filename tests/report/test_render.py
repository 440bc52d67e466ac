"""The HTML report: written, self-contained, escaped, and friendly when data is missing."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipeline.report.charts import fmt_int
from pipeline.report.data import (
    AlertSummary,
    DayPoint,
    Kpis,
    PostExample,
    ReportData,
    ShareOfVoice,
)
from pipeline.report.formatting import safe_url, truncate_text
from pipeline.report.render import render_html, render_report

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"
START = date(2026, 11, 2)


def _days(n: int) -> list[DayPoint]:
    out = []
    for i in range(n):
        neg, neu, pos = 3 + (i % 4) * 2, 20 + i % 5, 12 + (i * 3) % 7
        out.append(
            DayPoint(
                day=START + timedelta(days=i),
                volume=neg + neu + pos,
                negative=neg,
                neutral=neu,
                positive=pos,
                net_sentiment=(pos - neg) / (pos + neg),
                share_of_voice=0.4,
            )
        )
    return out


def _post(i: int, **kw: object) -> PostExample:
    values: dict[str, object] = {
        "post_id": f"p{i}",
        "created_at": datetime(2026, 11, 3, 12, 0, tzinfo=UTC),
        "source": "reddit",
        "community": "r/espresso",
        "url": f"https://example.org/post/{i}",
        "lang": "de",
        "title": f"Title {i}",
        "text": f"Die Maschine ist nach zwei Wochen kaputt, Support antwortet nicht ({i}).",
        "negative_score": 0.9 - i / 100,
    }
    values.update(kw)
    return PostExample(**values)  # type: ignore[arg-type]


def make_data(
    n_days: int = 7,
    competitors: tuple[str, ...] = ("Globex", "Initech"),
    posts: list[PostExample] | None = None,
    alerts: list[AlertSummary] | None = None,
    kpis: Kpis | None = None,
    brand: str = "Acme Kaffee",
) -> ReportData:
    """A realistic week of report data for *brand*."""
    end = START + timedelta(days=max(n_days, 7) - 1)
    sov = [ShareOfVoice(brand, 420, 0.42)] + [
        ShareOfVoice(c, 580 // len(competitors), 0.58 / len(competitors)) for c in competitors
    ]
    return ReportData(
        brand=brand,
        competitors=list(competitors),
        period_start=START,
        period_end=end,
        generated_at=datetime(2026, 11, 9, 6, 30, tzinfo=UTC),
        kpis=kpis
        or Kpis(
            volume=1234,
            volume_prev=1000,
            net_sentiment=0.123,
            net_sentiment_prev=0.2,
            negative_share=0.184,
            share_of_voice=0.42,
        ),
        daily=_days(n_days),
        share_of_voice=sov if competitors else [ShareOfVoice(brand, 420, 1.0)],
        most_negative=[_post(i) for i in range(3)] if posts is None else posts,
        alerts=[AlertSummary(START + timedelta(days=2), "negative_spike", 8, "Negative share 41%")]
        if alerts is None
        else alerts,
        model="stimmung-lr-multilingual 2026.11",
    )


def _kpi(html: str, key: str) -> str:
    m = re.search(rf'data-kpi="{key}">(.*?)</div>\s*</div>', html, re.S)
    assert m, key
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", m.group(1))).strip()


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", html, re.S)]


def _day_bar_count(svg: ET.Element) -> int:
    return sum(1 for g in svg.iter("{http://www.w3.org/2000/svg}g")
               if (g.get("class") or "").split()[:1] == ["day-bar"])


@pytest.fixture
def data() -> ReportData:
    return make_data()


def test_report_is_written_with_brand_and_period(data: ReportData, tmp_path: Path) -> None:
    out = render_report(data, tmp_path / "sub" / "report.html")
    assert out == tmp_path / "sub" / "report.html"
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<h1>Acme Kaffee</h1>" in html
    assert "Nov 2\u2009–\u20098, 2026" in html
    assert "Nov 9, 2026, 06:30 UTC" in html
    assert "stimmung-lr-multilingual 2026.11" in html
    assert not list(tmp_path.glob("sub/*.tmp"))


def test_kpi_values_are_formatted(data: ReportData) -> None:
    html = render_html(data)
    assert _kpi(html, "mentions").startswith(f"Mentions {fmt_int(1234)} ▲ +23% vs previous period")
    # 0.123 -> +12, previous 0.2 -> 20: change -8 points, with a true minus sign
    assert _kpi(html, "net_sentiment").startswith("Net sentiment +12 ▼ −8 pts vs previous period")
    assert 'class="change bad"' in html
    assert _kpi(html, "negative_share").startswith("Negative share 18%")
    assert _kpi(html, "share_of_voice").startswith("Share of voice 42%")


def test_kpis_without_previous_period_or_sentiment() -> None:
    kpis = Kpis(
        volume=5,
        volume_prev=0,
        net_sentiment=None,
        net_sentiment_prev=None,
        negative_share=0.0,
        share_of_voice=0.1,
    )
    html = render_html(make_data(kpis=kpis))
    assert "new: no mentions in the previous period" in _kpi(html, "mentions")
    assert _kpi(html, "net_sentiment").startswith("Net sentiment — no positive or negative")
    assert _kpi(html, "negative_share").startswith("Negative share 0%")


@pytest.mark.parametrize("n_days", [7, 30, 60])
def test_trend_has_one_bar_per_day_and_sov_chart(n_days: int) -> None:
    data = make_data(n_days=n_days)
    html = render_html(data)
    svgs = _svgs(html)  # also proves every SVG is well-formed XML
    assert len(svgs) == 2
    trend, sov = svgs
    assert "trend" in (trend.get("class") or "")
    assert _day_bar_count(trend) == n_days
    assert "bars" in (sov.get("class") or "")
    sov_text = "".join(sov.itertext())
    assert "42.0%" in sov_text and "Globex" in sov_text and f"({fmt_int(420)})" in sov_text


def test_missing_days_in_period_become_empty_bars() -> None:
    data = make_data()
    data.daily = [d for i, d in enumerate(data.daily) if i in (0, 6)]
    trend = _svgs(render_html(data))[0]
    assert _day_bar_count(trend) == 7


def test_alert_day_is_marked_in_the_trend_and_listed(data: ReportData) -> None:
    html = render_html(data)
    trend = _svgs(html)[0]
    marks = [
        g for g in trend.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "alert-marker"
    ]
    assert len(marks) == 1
    assert "Negative share 41%" in "".join(marks[0].itertext())
    assert re.search(r"Nov 4, 2026</td>\s*<td[^>]*><span class=\"sev sev-high\"", html)
    assert "negative_spike" in html


EXTERNAL_RESOURCE = re.compile(
    r"<(?:link|script|img|image|style|iframe|source|video|audio|object|embed|use|input|"
    r"track|frame)\b[^>]*\b(?:src|href|data|srcset|poster|xlink:href)\s*=\s*[\"']?\s*"
    r"(?:https?:)?//",
    re.I,
)


def test_no_external_resources(data: ReportData) -> None:
    html = render_html(data)
    assert not EXTERNAL_RESOURCE.search(html)
    assert "<script" not in html.lower()
    assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I)
    assert "@import" not in html
    # the only http(s) attributes are links to posts in <a href>
    for m in re.finditer(r"<(\w+)[^>]*\b(?:src|href)\s*=\s*[\"']?https?://", html, re.I):
        assert m.group(1).lower() == "a"
    assert html.count('<a href="https://example.org/post/') == 3


def test_xss_payloads_are_escaped_everywhere(tmp_path: Path) -> None:
    evil = [
        _post(
            1,
            text=f"bad {XSS_SCRIPT} {XSS_IMG}",
            title=XSS_SCRIPT,
            community=XSS_IMG,
            source=XSS_SCRIPT,
            lang=XSS_IMG,
            url=f'https://example.org/?q={XSS_SCRIPT}"x',
        ),
        _post(2, url="javascript:alert(1)"),
        _post(3, url="  JaVaScRiPt:alert(2)"),
        _post(4, url="java\tscript:alert(3)"),
        _post(5, url="data:text/html,<script>alert(4)</script>"),
    ]
    data = make_data(
        brand=XSS_SCRIPT,
        competitors=(XSS_IMG,),
        posts=evil,
        alerts=[AlertSummary(START, XSS_IMG, 2, XSS_SCRIPT)],
    )
    data.model = XSS_IMG
    html = render_report(data, tmp_path / "r.html").read_text(encoding="utf-8")
    assert XSS_SCRIPT not in html
    assert XSS_IMG not in html
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # non-http(s) urls are text, never an href
    hrefs = re.findall(r"\bhref\s*=\s*[\"']?([^\"' >]*)", html, re.I)
    assert hrefs and all(h.startswith("https://") for h in hrefs)
    assert "javascript:alert(1)" in html  # shown as plain text
    assert not re.search(r"href\s*=\s*[\"']?\s*(?:java|data:)", html, re.I)
    # the quote in the url cannot break out of the attribute
    assert '"x"' not in html and "&#34;x" in html
    for svg in _svgs(html):
        assert svg is not None


def test_empty_report_renders_empty_states(tmp_path: Path) -> None:
    data = make_data(
        n_days=0,
        competitors=(),
        posts=[],
        alerts=[],
        kpis=Kpis(0, 0, None, None, None, None),
    )
    data.share_of_voice = []
    data.model = ""
    html = render_report(data, tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "No mentions of Acme Kaffee were found in the period" in html
    assert "No competitors are configured for Acme Kaffee" in html
    assert "No negative posts about Acme Kaffee in this period." in html
    assert "No alerts in this period" in html
    assert "not recorded" in html
    assert "<svg" not in html
    assert _kpi(html, "mentions").startswith("Mentions 0 previous period: 0")
    assert _kpi(html, "share_of_voice").startswith("Share of voice — no competitors configured")


def test_days_with_zero_mentions_only_show_empty_trend() -> None:
    data = make_data()
    data.daily = [DayPoint(d.day, 0, 0, 0, 0, None, None) for d in data.daily]
    html = render_html(data)
    assert "No mentions of Acme Kaffee were found" in html
    assert len(_svgs(html)) == 1  # only share of voice


def test_competitors_without_any_mentions() -> None:
    data = make_data()
    data.share_of_voice = [ShareOfVoice(s.brand, 0, 0.0) for s in data.share_of_voice]
    html = render_html(data)
    assert "No mentions in this period" in html


def test_long_text_is_truncated_with_ellipsis() -> None:
    long = "Wort " * 200
    html = render_html(make_data(posts=[_post(1, text=long)]))
    m = re.search(r'<p class="post-text">(.*?)</p>', html, re.S)
    assert m
    shown = m.group(1)
    assert shown.endswith("…")
    assert 300 <= len(shown) <= 400


def test_truncate_text_and_safe_url_units() -> None:
    assert truncate_text("a\n\n  b\x00c") == "a bc"
    assert truncate_text("x" * 500, 400) == "x" * 399 + "…"
    assert safe_url("https://example.org/a?b=1") == "https://example.org/a?b=1"
    assert safe_url(" http://example.org ") == "http://example.org"
    for bad in (
        "javascript:alert(1)",
        "JAVASCRIPT:x",
        "data:text/html,x",
        "//evil.org/x",
        "https://",
        "ftp://example.org",
        "http://exa mple.org",
        None,
        "",
    ):
        assert safe_url(bad) is None, bad


def test_sample_report(tmp_path: Path) -> None:
    """A month of data with everything in it: the file a human looks at."""
    data = make_data(
        n_days=30,
        competitors=("Globex", "Initech", "Umbrella Coffee"),
        posts=[
            _post(i, text=("Sehr enttäuscht vom Kundenservice. " * (i + 1)) + XSS_SCRIPT)
            for i in range(5)
        ]
        + [_post(9, url=None, community=None, lang=None, title=None)],
        alerts=[
            AlertSummary(START + timedelta(days=4), "negative_spike", 3, "Negative share 41%"),
            AlertSummary(START + timedelta(days=4), "volume_spike", 1, "Mentions ×3"),
            AlertSummary(START + timedelta(days=17), "negative_spike", 2, "Negative share 33%"),
        ],
    )
    out = render_report(data, tmp_path / "build" / "report-sample.html")
    html = out.read_text(encoding="utf-8")
    assert out.stat().st_size > 5_000
    assert _day_bar_count(_svgs(html)[0]) == 30
    assert html.count('class="post"') == 6
    assert html.count('<tr class="alert">') == 3


@pytest.mark.parametrize(("severity", "band"), [(1, "low"), (3, "low"), (4, "medium"),
                                                (6, "medium"), (7, "high"), (10, "high")])
def test_severity_bands_follow_the_1_to_10_scale(data: ReportData, severity: int,
                                                 band: str) -> None:
    data.alerts = [AlertSummary(data.period_start, "negative_spike", severity, "x")]
    assert f'class="sev sev-{band}"' in render_html(data)
