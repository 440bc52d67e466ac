"""The report's languages: a complete German catalog, Babel formats, honest small numbers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from babel.messages.pofile import read_po
from lxml import html as lxml_html
from test_render_sections import empty_data, rich_data  # tests/report is on sys.path

from pipeline.config import Config
from pipeline.report import i18n
from pipeline.report.data import DayPoint
from pipeline.report.honest import few, shrunk_net
from pipeline.report.locale.__main__ import REPORT, catalog, messages
from pipeline.report.render import build_view, render_html

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def test_every_message_has_a_german_translation_and_the_po_is_current() -> None:
    found = messages()
    assert len(found) > 200
    expected = catalog()  # raises, naming them, when a translation is missing
    po = REPORT / "locale" / "de" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as fh:
        shipped = read_po(fh, locale="de")
    assert {m.id for m in shipped if m.id} == {m.id for m in expected if m.id}, (
        "run `python -m pipeline.report.locale` to regenerate the catalog")
    for m in shipped:
        if not m.id:
            continue
        ids = [str(i) for i in (m.id if isinstance(m.id, tuple | list) else [m.id])]
        strs = [str(t) for t in (m.string if isinstance(m.string, tuple | list)
                                 else [m.string])]
        wanted = set().union(*(_PLACEHOLDER.findall(i) for i in ids)) - {"n", "num"}
        for text in strs:
            assert text, m.id
            assert set(_PLACEHOLDER.findall(text)) - {"n", "num"} == wanted, m.id


def _headings(page: str) -> list[str]:
    doc = lxml_html.fromstring(page)
    return [" ".join(h.text_content().split()) for h in doc.xpath("//h2")]


def test_german_report_has_no_english_heading_and_english_none_german() -> None:
    data = rich_data()
    data.language = "en"
    english = _headings(render_html(data))
    data.language = "de"
    page = render_html(data)
    german = _headings(page)
    assert len(german) == len(english) > 10
    pairs = list(zip(german, english, strict=True))
    assert all(g != e for g, e in pairs), pairs
    assert '<html lang="de">' in page
    # messages are text: their "<" is escaped (values are, as always)
    assert not re.search(r"<[\s\d]", page) and "n &lt; 5" in page
    assert "Auf einen Blick" in german and "Kundenprobleme" in german


def test_formats_follow_the_language_and_time_zone() -> None:
    moment = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    with i18n.use(i18n.lang("de", "Europe/Berlin")):
        assert i18n.num(12345.5, 1) == "12.345,5" and i18n.pct(0.184) == "18\u00a0%"
        assert i18n.when(moment) == "01.07.2026, 14:05 CEST"
        assert i18n.period(date(2026, 10, 4), date(2026, 10, 31)) == "4.–31. Okt. 2026"
        assert [i18n.duration(h) for h in (0.5, 1, 30, 242)] == [
            "< 1 Stunde", "1 Stunde", "30 Stunden", "10 Tage"]
    with i18n.use(i18n.lang("en", "America/New_York")):
        assert i18n.num(12345.5, 1) == "12,345.5" and i18n.pct(0.184) == "18%"
        assert i18n.when(moment) == "Jul 1, 2026, 08:05 EDT"
        assert [i18n.duration(h) for h in (0.5, 1, 30, 242)] == [
            "< 1 hour", "1 hour", "30 hours", "10 days"]
    assert i18n.lang("fr").code == "en"  # no catalog: English
    assert i18n.main_language({"de": 200, "en": 148, "fr": 300}) == "de"
    assert i18n.main_language({"fr": 3}, fallback="de") == "de"


def test_report_config_checks_language_and_time_zone() -> None:
    ok = Config.model_validate({"brands": [{"name": "A"}],
                                "report": {"language": "de", "timezone": "Europe/Berlin"}})
    assert ok.report.language == "de" and ok.report.timezone == "Europe/Berlin"
    assert Config.model_validate({"brands": [{"name": "A"}]}).report.language is None
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        Config.model_validate({"brands": [{"name": "A"}], "report": {"timezone": "Mars/Olympus"}})
    with pytest.raises(ValueError, match="language"):
        Config.model_validate({"brands": [{"name": "A"}], "report": {"language": "fr"}})


def test_small_counts_are_shrunk_with_the_reputation_prior() -> None:
    assert shrunk_net(0, 1, 5) == pytest.approx(-1 / 6)  # one angry post: -17, not -100
    assert shrunk_net(3, 0, 5) == pytest.approx(3 / 8)
    assert shrunk_net(150, 50, 5) == pytest.approx(100 / 205)  # a busy day barely moves
    assert shrunk_net(0, 0, 5) is None and shrunk_net(2, 1, 0) == pytest.approx(1 / 3)
    assert few(4) and not few(5)


def test_one_negative_post_does_not_read_minus_100() -> None:
    data = empty_data()
    day = data.period_start
    data.daily = [DayPoint(day=day, volume=1, negative=1, neutral=0, positive=0,
                           net_sentiment=-1.0, share_of_voice=None)]
    view = build_view(data)
    titles = re.findall(r'class="net-point few".*?<title>(.*?)</title>', str(view.trend_svg))
    assert titles and titles[0].endswith("net sentiment \u221217")
    assert view.method.one_negative == "\u221217"
