"""Inline SVG chart helpers: well-formed, escaped, and robust for 0, 1 and many points."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from markupsafe import Markup

from pipeline.report.charts import fmt_int, horizontal_bars, nice_ticks, stacked_bar_trend

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _days(n: int) -> list[date]:
    return [date(2026, 10, 1) + timedelta(days=i) for i in range(n)]


def _day_bars(root: ET.Element) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if g.get("class") == "day-bar"]


@pytest.mark.parametrize("n", [0, 1, 60])
def test_trend_is_well_formed_for_0_1_60_points(n: int) -> None:
    days = _days(n)
    neg = [i % 7 for i in range(n)]
    neu = [10 + i % 3 for i in range(n)]
    pos = [5 + i % 5 for i in range(n)]
    line = [
        None if i % 11 == 3 else (p - ng) / max(p + ng, 1)
        for i, (p, ng) in enumerate(zip(pos, neg, strict=True))
    ]
    svg = stacked_bar_trend(days, neg, neu, pos, line=line)
    assert isinstance(svg, Markup)
    root = _parse(svg)
    assert len(_day_bars(root)) == n
    if n == 0:
        assert "No data in this period" in svg


def test_trend_one_bar_per_day_and_one_rect_per_nonzero_segment() -> None:
    svg = stacked_bar_trend(_days(3), [1, 0, 0], [2, 0, 0], [3, 0, 4])
    bars = _day_bars(_parse(svg))
    assert len(bars) == 3
    rects = [len(list(g.iter(f"{SVG}rect"))) for g in bars]
    assert rects == [3, 0, 1]  # zero-height segments are not drawn


def test_trend_stacks_to_the_day_total() -> None:
    svg = stacked_bar_trend(_days(2), [10, 5], [10, 0], [20, 5])
    bars = _day_bars(_parse(svg))
    heights = [sum(float(r.get("height", "0")) for r in g.iter(f"{SVG}rect")) for g in bars]
    assert heights[0] == pytest.approx(heights[1] * 4, rel=0.02)


def test_trend_all_zero_days_do_not_divide_by_zero() -> None:
    svg = stacked_bar_trend(_days(5), [0] * 5, [0] * 5, [0] * 5, line=[None] * 5)
    assert len(_day_bars(_parse(svg))) == 5


def test_trend_markers_title_escaped_and_unknown_days_ignored() -> None:
    days = _days(4)
    svg = stacked_bar_trend(
        days,
        [1, 9, 1, 1],
        [1, 1, 1, 1],
        [1, 1, 1, 1],
        line=[0.0, -0.8, 0.0, 0.0],
        markers=[(days[1], "<script>alert(1)</script> & spike"), (date(1999, 1, 1), "gone")],
    )
    root = _parse(svg)
    marks = [g for g in root.iter(f"{SVG}g") if g.get("class") == "alert-marker"]
    assert len(marks) == 1
    title = marks[0].find(f"{SVG}title")
    assert title is not None and title.text is not None
    assert "<script>alert(1)</script> & spike" in title.text  # parsed back = escaped in source
    assert "<script>" not in svg
    assert "gone" not in svg


def test_trend_day_labels_are_thinned_for_many_days() -> None:
    root = _parse(stacked_bar_trend(_days(60), [1] * 60, [1] * 60, [1] * 60))
    axis = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "axis axis-bottom")
    labels = [t.text for t in axis.iter(f"{SVG}text")]
    assert 3 <= len(labels) <= 16  # not 60 overlapping labels
    assert labels[0] == "1 Oct"


def test_trend_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError):
        stacked_bar_trend(_days(2), [1], [1, 2], [1, 2])


def test_trend_line_is_split_at_missing_values() -> None:
    svg = stacked_bar_trend(_days(5), [1] * 5, [1] * 5, [1] * 5, line=[0.1, 0.2, None, 0.3, 0.4])
    root = _parse(svg)
    net = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "net-line")
    # two segments, each drawn as halo + line
    assert len(list(net.iter(f"{SVG}polyline"))) == 4
    assert len(list(net.iter(f"{SVG}circle"))) == 4


@pytest.mark.parametrize("n", [0, 1, 60])
def test_horizontal_bars_0_1_60(n: int) -> None:
    labels = [f"brand {i}" for i in range(n)]
    svg = horizontal_bars(labels, list(range(1, n + 1)), highlight="brand 0")
    root = _parse(svg)
    bars = [g for g in root.iter(f"{SVG}g") if (g.get("class") or "").startswith("bar")]
    assert len(bars) == n
    if n == 0:
        assert "No mentions in this period" in svg


def test_horizontal_bars_percentages_counts_and_highlight() -> None:
    svg = horizontal_bars(["Acme", "Globex", "Initech"], [1200, 600, 200], highlight="Acme")
    root = _parse(svg)
    text = "".join(root.itertext())
    assert "60.0%" in text and "30.0%" in text and "10.0%" in text
    assert f"({fmt_int(1200)})" in text
    hl = [g for g in root.iter(f"{SVG}g") if g.get("class") == "bar bar-highlight"]
    assert len(hl) == 1
    assert "Acme" in "".join(hl[0].itertext())


def test_horizontal_bars_all_zero_and_escaping() -> None:
    assert "No mentions" in horizontal_bars(["a", "b"], [0, 0])
    svg = horizontal_bars(["<img src=x onerror=alert(1)>", 'Q&A "Ltd"'], [3, 1])
    _parse(svg)
    assert "<img" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg


def test_control_characters_do_not_break_xml() -> None:
    _parse(horizontal_bars(["bad\x00\x07name"], [1]))


def test_nice_ticks() -> None:
    assert nice_ticks(0) == [0.0, 1.0]
    assert nice_ticks(3) == [0.0, 1.0, 2.0, 3.0]
    ticks = nice_ticks(87)
    assert ticks[0] == 0 and ticks[-1] >= 87 and len(ticks) <= 6
