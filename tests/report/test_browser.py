"""The report in a real browser: headless Chromium (Debian's `chromium`) driven by Playwright.

A warehouse is filled through the real pipeline (file source → analyze → metrics → alerts)
with a negative spike and a hostile post, the report is written with `write_report` and
opened from ``file://``, once in English (New York time) and once in German (Berlin time).
Checked in both: every section of `SECTION_IDS` and every chart is there and visible,
nothing but the file itself is requested, the hostile post shows as text and never runs
(with the page's Content-Security-Policy, and with it bypassed, so escaping is tested on
its own); the state of the data comes first (a failing and a silent source); small counts
are shrunk and marked; chiefs mention the brand and experts are labelled apart; alerts do
not repeat their date or severity and link nowhere local; headings, numbers, dates and
durations are in the report's language. Full-page screenshots go to ``build/``.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from pipeline.config import parse_config
from pipeline.report.render import SECTION_IDS
from pipeline.report.write import write_report
from pipeline.stages.base import open_warehouse
from pipeline.stages.run import run

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
SCREENSHOT = BUILD / "report-screenshot.png"  # English; German: report-screenshot-de.png
LANGS = {"en": "America/New_York", "de": "Europe/Berlin"}

BRAND, COMPETITOR = "Kaffeekraft", "Brühwerk"
XSS_SCRIPT = "<script>window.__xss = 1</script>"
XSS_IMG = '<img src=x onerror="window.__xss = 2">'
XSS_TITLE = '<svg onload="window.__xss = 3">'
XSS_URL = "javascript:window.__xss = 4"
# Posts are built from parts so that no two are (near-)duplicates the pipeline would drop.
GOOD = (
    ("Die", "Meine neue", "Unsere", "Die geliehene", "Die reparierte"),
    ("Maschine", "Mühle", "App", "Milchdüse", "Kapselhalterung", "Brühgruppe"),
    ("ist großartig, ich liebe sie", "macht perfekten Espresso", "läuft seit Wochen prima",
     "war jeden Euro wert"),
)
BAD = (
    ("Terrible:", "Awful experience:", "Never again:", "Warning to everyone:"),
    ("the machine broke", "the grinder died", "the app crashes", "the frother leaks",
     "support ignores me"),
    ("after two weeks", "again today", "and nobody answers my emails", "after the update"),
)
HELP = ("Have you tried descaling it? That fixed the same thing for me.",
        "Mine did that too until I replaced the gasket, took five minutes.",
        "Run the cleaning cycle twice and reset it, worked here.",
        "Ask for the exchange unit, they sent me one within a week.",
        "Try the older firmware, the new one has this bug.",
        "Check the drip tray sensor, it is often just dirty.")
START = datetime(2026, 10, 1, 8, 0, tzinfo=UTC)
DAYS = 21


def _text(parts: tuple[tuple[str, ...], ...], i: int, brand: str) -> str:
    """The i-th combination of *parts* (mixed radix), with *brand* after the first part."""
    words = []
    for options in parts:
        words.append(options[i % len(options)])
        i //= len(options)
    return f"{words[0]} {brand} {' '.join(words[1:])}."


def _posts() -> list[dict[str, Any]]:
    """Three weeks of mostly friendly posts, a negative spike on the last day, one hostile post."""
    rows: list[dict[str, Any]] = []

    def add(prefix: str, text: str, at: datetime, **extra: Any) -> None:
        rows.append({"id": f"{prefix}{len(rows)}", "text": text, "created_at": at.isoformat(),
                     **extra})

    good = bad = 0
    for d in range(DAYS):
        day = START + timedelta(days=d)
        for i in range(4):
            add("k", _text(GOOD, good, BRAND), day + timedelta(hours=i),
                url=f"https://forum.example.org/t/{d}-{i}", community="r/espresso",
                author=f"fan{good % 5}")
            good += 1
        if d % 4 == 0:
            add("n", _text(BAD, bad, BRAND), day + timedelta(hours=5), community="support",
                author=f"critic{bad % 3}")
            parent = rows[-1]["id"]
            bad += 1
            # a regular answers without naming the brand: a community expert, not a chief
            add("h", f"{HELP[(d // 4) % len(HELP)]} (tip {d}: check the seal and the tank)",
                day + timedelta(hours=6), community="support", author="helper",
                parent_id=parent)
        for i in range(3):
            add("b", _text(GOOD, 7 * d + 2 * i + 1, COMPETITOR), day + timedelta(hours=i))
    spike = START + timedelta(days=DAYS - 1)
    for i in range(10):
        add("s", _text(BAD, bad, BRAND), spike + timedelta(minutes=20 * i),
            url=f"https://forum.example.org/s/{i}")
        bad += 1
    # A forum post quoting code: entity-escaped in the source, so after cleaning the stored
    # text literally contains the tags (a raw <script> would be dropped by the cleaner).
    add("x", f"Worst {BRAND} ever: broken, useless, terrible, I hate it. "
             "&lt;script&gt;window.__xss = 1&lt;/script&gt; "
             "&lt;img src=x onerror=\"window.__xss = 2\"&gt;",
        spike + timedelta(hours=3), title=f"{BRAND} {XSS_TITLE}", url=XSS_URL,
        community="support")
    return rows


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module", params=list(LANGS))
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def report_html(tmp_path_factory: pytest.TempPathFactory, lang: str) -> Path:
    """A report written by `write_report` from a SQLite warehouse filled by the pipeline:
    a forum export, a feed that cannot be reached (failed) and an archive whose posts are
    all older than the period (silent)."""
    tmp = tmp_path_factory.mktemp(f"browser-report-{lang}")
    data = tmp / "posts.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _posts()),
                    encoding="utf-8")
    old = START - timedelta(days=90)
    (tmp / "archive.jsonl").write_text("".join(
        json.dumps({"id": f"old{i}", "text": f"An old note about grinders, number {i}.",
                    "created_at": (old + timedelta(hours=i)).isoformat()}) + "\n"
        for i in range(3)), encoding="utf-8")
    config = parse_config({
        "warehouse": {"url": f"sqlite:///{tmp / 'warehouse.db'}"},
        "http": {"max_retries": 0, "timeout_s": 2},
        "brands": [{"name": BRAND, "competitors": [COMPETITOR]}, {"name": COMPETITOR}],
        "sources": [
            {"name": "forum", "kind": "file", "options": {"path": str(data)}},
            {"name": "archive", "kind": "file", "options": {"path": str(tmp / "archive.jsonl")}},
            {"name": "broken-feed", "kind": "feed",
             "options": {"url": f"http://127.0.0.1:{_closed_port()}/feed.xml"}},
        ],
        "report": {"language": lang, "timezone": LANGS[lang]},
    }, base_dir=tmp)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STIMMUNG_PSEUDONYM_KEY", "test-key-" + "0" * 32)
        engine = open_warehouse(config)
        try:
            result = run(engine, config)
            assert result.alerts, "the negative spike should raise an alert"
            first, last = START.date(), (START + timedelta(days=DAYS - 1)).date()
            path = write_report(engine, config, BRAND, first, last, tmp / "report.html")
        finally:
            engine.dispose()
    html = path.read_text(encoding="utf-8")
    assert "window.__xss = 1" in html, "the hostile post is not in the report"
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True,
                                     args=["--no-sandbox", "--disable-gpu",
                                           "--disable-dev-shm-usage"])
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Opened:
    """A loaded report page and everything it tried to do."""

    page: Page
    url: str
    requests: list[str] = field(default_factory=list)
    aborted: list[str] = field(default_factory=list)
    websockets: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []"))


# Recorded before any page code runs (Playwright's init scripts are not subject to the CSP).
_WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation",
    (e) => window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""


@contextmanager
def open_report(browser: Browser, report: Path, *, bypass_csp: bool = False) -> Iterator[Opened]:
    """Open *report* from file:// in a fresh context, recording what the page does."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  bypass_csp=bypass_csp, java_script_enabled=True)
    url = report.resolve().as_uri()
    page = context.new_page()
    rec = Opened(page=page, url=url)

    def route(r: Route) -> None:
        if r.request.url == url or r.request.url.startswith("data:"):
            r.continue_()
        else:  # nothing else may load, whatever the scheme
            rec.aborted.append(r.request.url)
            r.abort()

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            rec.console_errors.append(msg.text)

    def on_dialog(dialog: Any) -> None:
        rec.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(req: Request) -> None:
        rec.requests.append(req.url)

    context.route("**/*", route)
    context.add_init_script(_WATCH_CSP)
    page.on("request", on_request)
    page.on("websocket", lambda ws: rec.websockets.append(ws.url))
    page.on("console", on_console)
    page.on("pageerror", lambda exc: rec.page_errors.append(str(exc)))
    page.on("dialog", on_dialog)
    response = page.goto(url, wait_until="load")
    assert response is None or response.ok
    page.wait_for_timeout(300)  # let a late onerror/onload fire, if one were there
    try:
        yield rec
    finally:
        context.close()


@pytest.fixture(params=[False, True], ids=["with-csp", "csp-bypassed"])
def opened(request: pytest.FixtureRequest, browser: Browser, report_html: Path
           ) -> Iterator[Opened]:
    """The report as shipped, and with its CSP bypassed (so escaping is tested on its own)."""
    with open_report(browser, report_html, bypass_csp=request.param) as rec:
        yield rec


def _assert_offline(rec: Opened) -> None:
    other = [u for u in rec.requests if u != rec.url and not u.startswith("data:")]
    assert rec.requests.count(rec.url) == 1, rec.requests
    assert other == [], f"the report requested {other}"
    assert rec.aborted == [] and rec.websockets == []


def test_no_request_leaves_the_page(opened: Opened) -> None:
    _assert_offline(opened)
    assert opened.csp_violations() == []  # nothing was even attempted (and blocked by the CSP)
    assert opened.console_errors == [] and opened.page_errors == []


def test_hostile_post_is_shown_as_text_and_never_runs(opened: Opened) -> None:
    page = opened.page
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert opened.dialogs == []
    assert opened.console_errors == [] and opened.page_errors == []
    # the payload is on the page as visible text ...
    post = page.locator("#most-negative .post", has_text="window.__xss = 1")
    assert post.count() == 1
    assert post.is_visible()
    text = post.inner_text()
    for payload in (XSS_SCRIPT, XSS_IMG, XSS_TITLE, XSS_URL):
        assert payload in text, payload
    # ... and never markup: no script, no event handler attribute, no javascript: link
    assert page.evaluate("document.scripts.length") == 0
    handlers = page.evaluate(
        """() => [...document.querySelectorAll("*")].flatMap((el) =>
               [...el.attributes].filter((a) => a.name.toLowerCase().startsWith("on"))
                                 .map((a) => el.tagName + " " + a.name))""")
    assert handlers == []
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs and all(h.startswith(("https://", "http://")) for h in hrefs), hrefs
    assert post.locator("a").count() == 0  # the javascript: url stays plain text
    _assert_offline(opened)


def test_sections_and_charts_are_present_and_visible(opened: Opened) -> None:
    page = opened.page
    assert SECTION_IDS, "pipeline.report.render.SECTION_IDS is empty"
    for sid in SECTION_IDS:
        section = page.locator(f"[id='{sid}']")
        assert section.count() == 1, f"section #{sid} missing or repeated"
        assert section.is_visible(), f"section #{sid} is not visible"
        box = section.bounding_box()
        assert box and box["width"] > 0 and box["height"] > 0, sid
    # the sections in page order, and no <section> the list does not know about
    in_order = page.evaluate(
        "(ids) => [...document.querySelectorAll('[id]')].map((e) => e.id)"
        ".filter((id) => ids.includes(id))", list(SECTION_IDS))
    assert in_order == list(SECTION_IDS)
    untracked = page.evaluate(
        "(ids) => [...document.querySelectorAll('section')].map((e) => e.id)"
        ".filter((id) => !ids.includes(id))", list(SECTION_IDS))
    assert untracked == []

    charts = page.locator("svg.chart")
    assert charts.count() >= 2
    for i in range(charts.count()):
        chart = charts.nth(i)
        assert chart.is_visible()
        box = chart.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 40, box
        assert chart.locator("rect, path, line, polyline").count() > 0
    assert page.locator("#trend svg.chart.trend .day-bar").count() == DAYS
    assert page.locator("#trend svg.chart.trend .alert-marker").count() >= 1
    assert page.locator("#share-of-voice svg.chart.bars").count() == 1
    kpis = page.locator("#kpis .kpi")
    assert kpis.count() >= 4 and all(kpis.nth(i).is_visible() for i in range(kpis.count()))
    assert page.locator("#alerts tr.alert").count() >= 1
    assert page.locator("#most-negative .post").count() >= 3
    assert page.title().startswith(BRAND)


def test_full_page_screenshot(browser: Browser, report_html: Path, lang: str) -> None:
    BUILD.mkdir(exist_ok=True)
    shot = SCREENSHOT if lang == "en" else SCREENSHOT.with_name(f"report-screenshot-{lang}.png")
    with open_report(browser, report_html) as rec:
        rec.page.screenshot(path=str(shot), full_page=True)
        _assert_offline(rec)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a rendered page, not a blank one


# ------------------------------------------------------------------ what the reader is told

WORDS: dict[str, dict[str, str]] = {  # what each language must say, the other must not
    "en": {"state": "The data behind this report", "glance": "At a glance",
           "experts": "Community experts", "waiting": "waiting", "expert": "expert",
           "failed": "Source broken-feed failed", "silent": "Source archive was silent",
           "month": "Oct"},
    "de": {"state": "Die Daten hinter diesem Bericht", "glance": "Auf einen Blick",
           "experts": "Community-Experten", "waiting": "wartet schon", "expert": "Experte",
           "failed": "Quelle broken-feed ist ausgefallen",
           "silent": "Quelle archive blieb stumm", "month": "Okt."},
}
ZONES = {"en": ("EST", "EDT"), "de": ("CET", "CEST")}  # abbreviations of LANGS[lang]
_SIGNED = re.compile(r"([+\u2212]?)(\d+)")


@pytest.fixture
def shown(browser: Browser, report_html: Path) -> Iterator[Page]:
    with open_report(browser, report_html) as rec:
        yield rec.page


def _signed(text: str) -> int:
    m = _SIGNED.search(text)
    assert m, text
    return -int(m.group(2)) if m.group(1) == "\u2212" else int(m.group(2))


def test_the_state_of_the_data_comes_first(shown: Page, lang: str) -> None:
    words = WORDS[lang]
    first = shown.evaluate("document.querySelector('main section').id")
    assert first == "data-state"
    state = shown.locator("#data-state")
    assert "data-incomplete" in (state.get_attribute("class") or "")
    text = state.inner_text()
    assert words["state"] in text and words["failed"] in text and words["silent"] in text
    # before any sentence about alerts, in page order
    top = state.bounding_box()
    headline = shown.locator("#headline").bounding_box()
    assert top and headline and top["y"] + top["height"] <= headline["y"]
    # the source table counts the posts of the period, not the items of the last run
    rows = shown.locator("#method tr.source-row")
    counts = {rows.nth(i).locator("td").nth(0).inner_text():
              rows.nth(i).locator("td.posts").inner_text() for i in range(rows.count())}
    assert counts["archive"] == "0" and counts["broken-feed"] == "0"
    assert int(re.sub(r"\D", "", counts["forum"])) > 100


def test_small_counts_are_shrunk_and_marked(shown: Page, lang: str) -> None:
    points = shown.locator("#trend svg .net-point")
    assert points.count() > 0
    nets = [_signed(points.nth(i).locator("title").text_content() or "")
            for i in range(points.count())]
    # every day has at most 5 positive or negative posts: nothing near ±100
    assert all(abs(v) < 60 for v in nets), nets
    assert shown.locator("#trend svg .net-point.few").count() > 0  # hollow: n < 5
    assert shown.locator("#trend svg .day-bar.few .few-hatch").count() > 0
    assert shown.locator("#trend svg .legend-few").is_visible()
    assert "n < 5" in shown.locator("#method .honesty").inner_text()
    for row in shown.locator("#chiefs tr.chief.few").all():
        assert row.locator(".few-tag").is_visible()


def test_chiefs_name_the_brand_and_experts_are_apart(shown: Page, lang: str) -> None:
    chiefs = shown.locator("#chiefs tr.chief")
    assert chiefs.count() >= 3
    for row in chiefs.all():
        assert int(row.locator("td.mentions").inner_text()) > 0
    experts = shown.locator("#experts tr.expert")
    assert experts.count() == 1  # the helper answers in brand threads, never naming it
    assert WORDS[lang]["experts"] in shown.locator("#experts h2").inner_text()
    tag = experts.first.locator(".expert-tag").inner_text()
    assert tag.lower() == WORDS[lang]["expert"].lower()
    assert int(experts.first.locator("td.replies").inner_text()) == 6
    expert = experts.first.locator("code.author").inner_text()
    assert expert not in [r.locator("code.author").inner_text() for r in chiefs.all()]


def test_alerts_say_it_once_and_link_nowhere_local(shown: Page) -> None:
    rows = shown.locator("#alerts tr.alert")
    assert rows.count() >= 1
    for row in rows.all():
        message = row.locator("td.message").inner_text()
        assert not re.search(r"\d{4}-\d{2}-\d{2}", message), message
        assert "severity" not in message.lower() and "/10" not in message
    html = shown.content()
    assert "file:" not in html


def test_language_numbers_dates_durations_and_time_zone(shown: Page, lang: str) -> None:
    words = WORDS[lang]
    assert shown.evaluate("document.documentElement.lang") == lang
    assert shown.locator("#headline h2").inner_text() == words["glance"]
    assert words["month"] in shown.locator(".report-header .period").inner_text()
    ages = [a.inner_text() for a in shown.locator("#response-queue .age").all()]
    assert ages
    # one duration format everywhere: hours up to two days, then days
    unit = {"en": r"(\d+ (hours?|days?)|< 1 hour)", "de": r"(\d+ (Stunden?|Tage?)|< 1 Stunde)"}
    assert all(re.fullmatch(f"{words['waiting']} {unit[lang]}", a) for a in ages), ages
    oldest = {"en": "the oldest has waited ", "de": "der älteste wartet schon "}[lang]
    assert re.search(oldest + unit[lang], shown.locator("#headline").inner_text())
    generated = shown.locator(".report-header .meta").inner_text()
    assert any(zone in generated for zone in ZONES[lang]), generated
    share = shown.locator("[data-kpi='negative_share'] .value").inner_text()
    assert share.endswith("\u00a0%" if lang == "de" else "%")
    other = WORDS["de" if lang == "en" else "en"]
    body = shown.locator("main").inner_text()
    assert other["state"] not in body and other["glance"] not in body
