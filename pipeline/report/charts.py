"""Small inline-SVG charts for the HTML report.

Pure functions: data in, an SVG string (``markupsafe.Markup``) out. Every piece of
text placed into the SVG is escaped here, so the template can embed the result as is.
The output is well-formed XML, has no scripts and loads nothing external.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date

from markupsafe import Markup, escape

from pipeline.report import i18n
from pipeline.report.honest import FEW
from pipeline.report.i18n import _

# Okabe-Ito derived, colour-blind safe palette.
NEGATIVE = "#D55E00"  # vermillion
NEUTRAL = "#C9C9C9"  # light grey
POSITIVE = "#0072B2"  # blue
LINE = "#1B1B1B"  # net sentiment line
MARKER = "#1B1B1B"  # alert marker
MARKER_BAND = "#F0E442"  # alert day band (yellow)
HIGHLIGHT = "#0072B2"  # highlighted bar (the brand)
MUTED = "#9AA4AE"  # other bars (competitors)
AXIS = "#6B7280"
GRID = "#E5E7EB"
TEXT = "#1F2937"

# Characters that are not allowed in XML 1.0 (C0 controls except tab, LF, CR).
_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Day = date | str


def esc(text: object) -> str:
    """Escape *text* for SVG/HTML and drop characters that XML does not allow."""
    return str(escape(_XML_BAD.sub("", str(text))))


def fmt_int(n: int) -> str:
    """An integer in the report's language (`pipeline.report.i18n.num`)."""
    return i18n.num(n)


def day_label(day: Day) -> str:
    """Short day label in the report's language: ``3 Nov`` / ``3. Nov.``."""
    if isinstance(day, date):
        return i18n.date_short(day)
    return str(day)


def _day_long(day: Day) -> str:
    if isinstance(day, date):
        return i18n.date_long(day)
    return str(day)


def _f(x: float) -> str:
    """Compact coordinate formatting."""
    s = f"{x:.1f}"
    return s[:-2] if s.endswith(".0") else s


def nice_ticks(max_value: float, target: int = 4) -> list[float]:
    """Return ``0, step, ..., top`` with a 1/2/5 step and ``top >= max_value``."""
    if max_value <= 0 or not math.isfinite(max_value):
        return [0.0, 1.0]
    raw = max_value / target
    mag = 10 ** math.floor(math.log10(raw))
    step = mag
    for m in (1, 2, 5, 10):
        step = m * mag
        if step >= raw:
            break
    step = max(step, 1.0)  # counts are integers
    top = math.ceil(max_value / step - 1e-9) * step
    count = round(top / step)
    return [i * step for i in range(count + 1)]


def _svg_open(width: int, height: int, label: str, css_class: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(label)}" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif" '
        f'font-size="11">'
        f"<title>{esc(label)}</title>"
    )


def _empty_svg(width: int, height: int, message: str, css_class: str) -> Markup:
    h = max(height, 40)
    return Markup(
        _svg_open(width, h, message, css_class)
        + f'<rect x="0.5" y="0.5" width="{width - 1}" height="{h - 1}" rx="6" '
        f'fill="#F9FAFB" stroke="{GRID}"/>'
        f'<text x="{width / 2:.0f}" y="{h / 2:.0f}" text-anchor="middle" '
        f'dominant-baseline="middle" fill="{AXIS}" font-size="13">{esc(message)}</text>'
        "</svg>"
    )


def stacked_bar_trend(
    days: Sequence[Day],
    neg: Sequence[int],
    neu: Sequence[int],
    pos: Sequence[int],
    line: Sequence[float | None] | None = None,
    markers: Iterable[tuple[Day, str]] = (),
    width: int = 960,
    height: int = 320,
    few: Sequence[bool] | None = None,
    line_label: str | None = None,
) -> Markup:
    """Daily stacked bars (negative at the bottom, then neutral, positive).

    ``line`` holds one net-sentiment value per day in [-1, 1] (``None`` = no value);
    it is drawn on a secondary axis labelled -100..100. ``markers`` are
    ``(day, tooltip)`` pairs: that day gets a band and a triangle with the tooltip
    as SVG ``<title>``; days not in ``days`` are ignored. Days flagged in ``few`` rest on
    too few mentions to read a rate from: their bars are hatched and lighter, their
    line points hollow (class ``few``).
    """
    n = len(days)
    if not (len(neg) == len(neu) == len(pos) == n):
        raise ValueError("days, neg, neu and pos must have the same length")
    if line is not None and len(line) != n:
        raise ValueError("line must have one value per day")
    if few is not None and len(few) != n:
        raise ValueError("few must have one flag per day")
    if n == 0:
        return _empty_svg(width, 80, _("No data in this period"), "trend")
    flags = list(few) if few is not None else [False] * n

    has_line = line is not None
    ml, mr, mt, mb = 44, (46 if has_line else 14), 44, 34
    pw = max(width - ml - mr, 10)
    ph = max(height - mt - mb, 10)
    x0, y0 = ml, mt + ph  # origin (bottom-left of plot area)

    totals = [a + b + c for a, b, c in zip(neg, neu, pos, strict=True)]
    ticks = nice_ticks(max(totals))
    top = ticks[-1]

    def y_count(v: float) -> float:
        return y0 - v / top * ph

    def y_net(v: float) -> float:
        v = min(1.0, max(-1.0, v))
        return mt + (1 - (v + 1) / 2) * ph

    slot = pw / n
    bar_w = min(max(slot * 0.72, 1.0), 48.0)

    def x_center(i: int) -> float:
        return x0 + slot * (i + 0.5)

    out: list[str] = [_svg_open(width, height, _("Daily mentions by sentiment"), "trend")]
    out.append(
        '<defs><pattern id="few-hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="5" height="5" fill="#FFFFFF" '
        'fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="5" stroke="#FFFFFF" '
        'stroke-width="2.2"/></pattern></defs>'
    )

    # Legend.
    lx: float = ml
    legend: list[tuple[str, str]] = [
        (_("Negative"), NEGATIVE),
        (_("Neutral"), NEUTRAL),
        (_("Positive"), POSITIVE),
    ]
    for name, colour in legend:
        out.append(
            f'<rect x="{lx}" y="8" width="11" height="11" rx="2" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="17" fill="{TEXT}">{esc(name)}</text>'
        )
        lx += 16 + 7 * len(name) + 14
    if has_line:
        out.append(
            f'<line x1="{lx}" y1="13.5" x2="{lx + 18}" y2="13.5" stroke="{LINE}" '
            f'stroke-width="2"/><circle cx="{lx + 9}" cy="13.5" r="2.5" fill="{LINE}"/>'
            f'<text x="{lx + 24}" y="17" fill="{TEXT}">'
            f'{esc(line_label or _("Net sentiment (right axis)"))}</text>'
        )
        lx += 24 + 6.2 * len(line_label or _("Net sentiment (right axis)")) + 16
    marker_list = list(markers)
    if marker_list:
        out.append(
            f'<path d="M{_f(lx)} 8 h11 l-5.5 9 z" fill="{MARKER}"/>'
            f'<text x="{_f(lx + 16)}" y="17" fill="{TEXT}">{esc(_("Alert"))}</text>'
        )
        lx += 16 + 6.2 * len(_("Alert")) + 16
    if any(flags):
        few_text = _("n < %(n)s: hatched, hollow point", n=FEW)
        out.append(
            f'<g class="legend-few"><rect x="{_f(lx)}" y="8" width="11" height="11" rx="2" '
            f'fill="{NEUTRAL}"/><rect x="{_f(lx)}" y="8" width="11" height="11" rx="2" '
            f'fill="url(#few-hatch)"/>'
            f'<text x="{_f(lx + 16)}" y="17" fill="{TEXT}">{esc(few_text)}</text></g>'
        )

    # Grid and left axis (counts).
    out.append('<g class="axis axis-left">')
    for t in ticks:
        y = y_count(t)
        out.append(
            f'<line x1="{x0}" y1="{_f(y)}" x2="{x0 + pw}" y2="{_f(y)}" stroke="{GRID}"/>'
            f'<text x="{x0 - 6}" y="{_f(y + 3.5)}" text-anchor="end" fill="{AXIS}">'
            f"{esc(fmt_int(int(t)))}</text>"
        )
    out.append(
        f'<text x="10" y="{_f(mt + ph / 2)}" fill="{AXIS}" text-anchor="middle" '
        f'transform="rotate(-90 10 {_f(mt + ph / 2)})">{esc(_("Mentions"))}</text></g>'
    )

    # Right axis (net sentiment -100..100).
    if has_line:
        out.append('<g class="axis axis-right">')
        for tick in (-100, -50, 0, 50, 100):
            y = y_net(tick / 100)
            label = _signed(tick)
            out.append(f'<text x="{x0 + pw + 6}" y="{_f(y + 3.5)}" fill="{AXIS}">{label}</text>')
        yz = y_net(0)
        out.append(
            f'<line x1="{x0}" y1="{_f(yz)}" x2="{x0 + pw}" y2="{_f(yz)}" stroke="{AXIS}" '
            f'stroke-dasharray="3 3" stroke-opacity="0.6"/>'
            f'<text x="{width - 8}" y="{_f(mt + ph / 2)}" fill="{AXIS}" text-anchor="middle" '
            f'transform="rotate(90 {width - 8} {_f(mt + ph / 2)})">'
            f'{esc(_("Net sentiment"))}</text></g>'
        )

    # Alert day bands and markers.
    out.extend(_alert_markers(days, marker_list, x_center, top=mt, height=ph,
                              band=min(slot, bar_w + 10), opacity=0.35, arrow_above=14))

    # Bars.
    out.append('<g class="bars">')
    for i in range(n):
        cx = x_center(i)
        x = cx - bar_w / 2
        net = None if line is None else line[i]
        tip = _("%(day)s: %(total)s mentions (%(neg)s negative, %(neu)s neutral, "
                "%(pos)s positive)", day=_day_long(days[i]), total=fmt_int(totals[i]),
                neg=fmt_int(neg[i]), neu=fmt_int(neu[i]), pos=fmt_int(pos[i]))
        if net is not None:
            tip += _(", net sentiment %(net)s", net=i18n.signed(round(net * 100)))
        if flags[i]:
            tip += _(" (too few mentions to read a rate from)")
        out.append(f'<g class="day-bar{" few" if flags[i] else ""}"><title>{esc(tip)}</title>')
        base = 0
        for count, colour in ((neg[i], NEGATIVE), (neu[i], NEUTRAL), (pos[i], POSITIVE)):
            if count > 0:
                y_top = y_count(base + count)
                h = y_count(base) - y_top
                out.append(
                    f'<rect x="{_f(x)}" y="{_f(y_top)}" width="{_f(bar_w)}" '
                    f'height="{_f(h)}" fill="{colour}"/>'
                )
            base += count
        if flags[i] and totals[i] > 0:
            y_top = y_count(totals[i])
            out.append(
                f'<rect class="few-hatch" x="{_f(x)}" y="{_f(y_top)}" width="{_f(bar_w)}" '
                f'height="{_f(y0 - y_top)}" fill="url(#few-hatch)"/>'
            )
        out.append("</g>")
    out.append("</g>")

    # Baseline and x labels.
    out.append(
        f'<line x1="{x0}" y1="{y0}" x2="{x0 + pw}" y2="{y0}" stroke="{AXIS}"/>'
        '<g class="axis axis-bottom">'
    )
    max_labels = max(1, int(pw // 56))
    step = max(1, math.ceil(n / max_labels))
    for i in range(0, n, step):
        cx = x_center(i)
        out.append(
            f'<line x1="{_f(cx)}" y1="{y0}" x2="{_f(cx)}" y2="{y0 + 4}" stroke="{AXIS}"/>'
            f'<text x="{_f(cx)}" y="{y0 + 17}" text-anchor="middle" fill="{AXIS}">'
            f"{esc(day_label(days[i]))}</text>"
        )
    out.append("</g>")

    # Net sentiment line, broken where a day has no value.
    if line is not None:
        segments, points = _line_points(line, x_center, y_net)
        out.append('<g class="net-line">')
        out.extend(_polylines(segments, halo=4, width=2))
        for px, py, net_value, i in points:
            hollow = flags[i]
            title = _("%(day)s: net sentiment %(net)s", day=_day_long(days[i]),
                      net=i18n.signed(round(net_value * 100)))
            out.append(
                f'<circle class="net-point{" few" if hollow else ""}" cx="{_f(px)}" '
                f'cy="{_f(py)}" r="{3 if n <= 31 else 2}" '
                f'fill="{"#FFFFFF" if hollow else LINE}" '
                f'stroke="{LINE if hollow else "#FFFFFF"}" stroke-width="{1.4 if hollow else 1}">'
                f"<title>{esc(title)}</title></circle>"
            )
        out.append("</g>")

    out.append("</svg>")
    return Markup("".join(out))


def _alert_markers(days: Sequence[Day], markers: Iterable[tuple[Day, str]],
                   x: Callable[[int], float], *, top: float, height: float, band: float,
                   opacity: float, arrow_above: float) -> list[str]:
    """A shaded band and an arrow over each day with alerts; their texts as the tooltip."""
    index = {d: i for i, d in enumerate(days)}
    tips: dict[int, list[str]] = {}
    for day, tip in markers:
        if day in index:
            tips.setdefault(index[day], []).append(tip)
    out = []
    for i, tip_list in sorted(tips.items()):
        cx = x(i)
        tip = _("Alert %(day)s: %(what)s", day=_day_long(days[i]), what="; ".join(tip_list))
        out.append(
            f'<g class="alert-marker"><title>{esc(tip)}</title>'
            f'<rect x="{_f(cx - band / 2)}" y="{_f(top)}" width="{_f(band)}" '
            f'height="{_f(height)}" fill="{MARKER_BAND}" fill-opacity="{opacity}"/>'
            f'<path d="M{_f(cx - 5)} {_f(top - arrow_above)} h10 l-5 9 z" '
            f'fill="{MARKER}"/></g>'
        )
    return out


Segment = list[tuple[float, float]]


Point = tuple[float, float, float, int]  # x, y, value, index


def _line_points(values: Sequence[float | None], x: Callable[[int], float],
                 y: Callable[[float], float]) -> tuple[list[Segment], list[Point]]:
    """The line's segments (broken where a value is missing) and its points."""
    segments: list[Segment] = []
    current: Segment = []
    points: list[Point] = []
    for i, value in enumerate(values):
        if value is None or not math.isfinite(value):
            if current:
                segments.append(current)
            current = []
            continue
        p = (x(i), y(value))
        current.append(p)
        points.append((p[0], p[1], value, i))
    if current:
        segments.append(current)
    return segments, points


def _polylines(segments: list[Segment], *, halo: float, width: float) -> list[str]:
    """Each segment of two or more points as a line on a white halo."""
    out = []
    for seg in segments:
        if len(seg) > 1:
            d = " ".join(f"{_f(px)},{_f(py)}" for px, py in seg)
            out.append(
                f'<polyline points="{d}" fill="none" stroke="#FFFFFF" stroke-width="{halo}" '
                'stroke-linejoin="round"/>'
                f'<polyline points="{d}" fill="none" stroke="{LINE}" stroke-width="{width}" '
                'stroke-linejoin="round"/>'
            )
    return out


def _signed(v: int) -> str:
    """``+12``, ``−7`` (true minus sign), ``0``."""
    return i18n.signed(v)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def horizontal_bars(
    labels: Sequence[str],
    values: Sequence[int],
    highlight: str | None = None,
    width: int = 960,
    row_height: int = 30,
) -> Markup:
    """Horizontal bars, one row per label, annotated with share of total and count.

    Bars are scaled to the largest value; the bar whose label equals ``highlight``
    is drawn in the accent colour and bold, the others muted.
    """
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    total = sum(values)
    if not labels or total <= 0:
        return _empty_svg(width, 60, _("No mentions in this period"), "bars")

    label_w, value_w, pad = 170, 130, 8
    bar_area = max(width - label_w - value_w - 2 * pad, 10)
    height = row_height * len(labels) + 2 * pad
    vmax = max(values)

    out: list[str] = [_svg_open(width, height, _("Share of voice"), "bars")]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = pad + i * row_height
        is_hl = highlight is not None and label == highlight
        colour = HIGHLIGHT if is_hl else MUTED
        weight = ' font-weight="700"' if is_hl else ""
        share = value / total
        bar_len = value / vmax * bar_area if vmax > 0 else 0.0
        pct = i18n.pct(share, 1)
        tip = _("%(brand)s: %(share)s of mentions (%(n)s)", brand=label, share=pct,
                n=fmt_int(value))
        cls = "bar bar-highlight" if is_hl else "bar"
        out.append(
            f'<g class="{cls}"><title>{esc(tip)}</title>'
            f'<text x="{label_w - 8}" y="{_f(y + row_height / 2 + 4)}" text-anchor="end" '
            f'fill="{TEXT}" font-size="12"{weight}>{esc(_truncate(label, 26))}</text>'
            f'<rect x="{label_w}" y="{_f(y + 5)}" width="{_f(bar_area)}" '
            f'height="{row_height - 10}" rx="3" fill="#F3F4F6"/>'
        )
        if bar_len > 0:
            out.append(
                f'<rect x="{label_w}" y="{_f(y + 5)}" width="{_f(max(bar_len, 2))}" '
                f'height="{row_height - 10}" rx="3" fill="{colour}"/>'
            )
        out.append(
            f'<text x="{label_w + bar_area + pad}" y="{_f(y + row_height / 2 + 4)}" '
            f'fill="{TEXT}" font-size="12"{weight}>{esc(pct)} '
            f'<tspan fill="{AXIS}" font-weight="400">({esc(fmt_int(value))})</tspan></text></g>'
        )
    out.append("</svg>")
    return Markup("".join(out))


REP_POSITIVE_BG = "#E6F1F8"  # pale blue: the positive half of the reputation scale
REP_NEGATIVE_BG = "#FBEDE3"  # pale vermillion: the negative half


def _x_labels(days: Sequence[Day], x_center: Callable[[int], float], y0: float,
              pw: float) -> list[str]:
    """Thinned day labels under a plot (at most one per ~56 px)."""
    n = len(days)
    out = ['<g class="axis axis-bottom">']
    step = max(1, math.ceil(n / max(1, int(pw // 56))))
    for i in range(0, n, step):
        cx = x_center(i)
        out.append(
            f'<line x1="{_f(cx)}" y1="{_f(y0)}" x2="{_f(cx)}" y2="{_f(y0 + 4)}" stroke="{AXIS}"/>'
            f'<text x="{_f(cx)}" y="{_f(y0 + 17)}" text-anchor="middle" fill="{AXIS}">'
            f"{esc(day_label(days[i]))}</text>"
        )
    out.append("</g>")
    return out


def reputation_line(
    days: Sequence[Day],
    values: Sequence[float | None],
    markers: Iterable[tuple[Day, str]] = (),
    reference: tuple[float, str] | None = None,
    window_days: int | None = None,
    width: int = 960,
    height: int = 260,
) -> Markup:
    """The reputation score per day on a fixed -100..100 axis with a zero line.

    ``values`` holds one score per day (``None`` = nothing to judge: the line breaks).
    The upper half of the plot is tinted as positive, the lower half as negative.
    ``markers`` are ``(day, tooltip)`` alert days (a band, as in the trend chart);
    ``reference`` is an optional dashed line ``(value, label)``, e.g. the period's score.
    """
    n = len(days)
    if len(values) != n:
        raise ValueError("days and values must have the same length")
    finite = [v for v in values if v is not None and math.isfinite(v)]
    if n == 0 or not finite:
        return _empty_svg(width, 80, _("No reputation score in this period"), "reputation")

    ml, mr, mt, mb = 44, 56, 36, 34
    pw = max(width - ml - mr, 10)
    ph = max(height - mt - mb, 10)
    x0, y0 = ml, mt + ph
    slot = pw / n

    def x_center(i: int) -> float:
        return x0 + slot * (i + 0.5)

    def y_of(v: float) -> float:
        v = min(100.0, max(-100.0, v))
        return mt + (100.0 - v) / 200.0 * ph

    what = (i18n.n_("Reputation score per day (trailing %(n)s day)",
                    "Reputation score per day (trailing %(n)s days)", window_days)
            if window_days else _("Reputation score per day"))
    out: list[str] = [_svg_open(width, height, _("%(what)s, −100 to +100", what=what),
                                "reputation")]

    # Legend.
    out.append(
        f'<line x1="{ml}" y1="13.5" x2="{ml + 18}" y2="13.5" stroke="{LINE}" stroke-width="2"/>'
        f'<circle cx="{ml + 9}" cy="13.5" r="2.5" fill="{LINE}"/>'
        f'<text x="{ml + 24}" y="17" fill="{TEXT}">{esc(what)}</text>'
    )
    lx = ml + 24 + 6.2 * len(what) + 18
    if reference is not None:
        out.append(
            f'<line x1="{_f(lx)}" y1="13.5" x2="{_f(lx + 18)}" y2="13.5" stroke="{AXIS}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            f'<text x="{_f(lx + 24)}" y="17" fill="{TEXT}">{esc(reference[1])}</text>'
        )
        lx += 24 + 6.2 * len(reference[1]) + 18
    marker_list = list(markers)
    if marker_list:
        out.append(
            f'<path d="M{_f(lx)} 8 h11 l-5.5 9 z" fill="{MARKER}"/>'
            f'<text x="{_f(lx + 16)}" y="17" fill="{TEXT}">{esc(_("Alert"))}</text>'
        )

    # Tinted halves, grid and the -100..100 axis.
    yz = y_of(0)
    out.append(
        f'<rect x="{x0}" y="{mt}" width="{_f(pw)}" height="{_f(yz - mt)}" '
        f'fill="{REP_POSITIVE_BG}"/>'
        f'<rect x="{x0}" y="{_f(yz)}" width="{_f(pw)}" height="{_f(y0 - yz)}" '
        f'fill="{REP_NEGATIVE_BG}"/>'
        f'<text x="{x0 + 6}" y="{mt + 13}" fill="{POSITIVE}" font-size="10.5">'
        f'{esc(_("positive"))}</text>'
        f'<text x="{x0 + 6}" y="{_f(y0 - 6)}" fill="{NEGATIVE}" font-size="10.5">'
        f'{esc(_("negative"))}</text>'
        '<g class="axis axis-left">'
    )
    for tick in (-100, -50, 0, 50, 100):
        y = y_of(tick)
        if tick:
            out.append(
                f'<line x1="{x0}" y1="{_f(y)}" x2="{_f(x0 + pw)}" y2="{_f(y)}" stroke="#FFFFFF"/>'
            )
        out.append(
            f'<text x="{x0 - 6}" y="{_f(y + 3.5)}" text-anchor="end" fill="{AXIS}">'
            f"{_signed(tick)}</text>"
        )
    out.append(
        "</g>"
        f'<line class="zero-line" x1="{x0}" y1="{_f(yz)}" x2="{_f(x0 + pw)}" y2="{_f(yz)}" '
        f'stroke="{AXIS}" stroke-width="1.2"/>'
    )

    # Alert day bands.
    out.extend(_alert_markers(days, marker_list, x_center, top=mt, height=ph,
                              band=max(min(slot, 24.0), 3.0), opacity=0.45, arrow_above=12))

    if reference is not None and math.isfinite(reference[0]):
        yr = y_of(reference[0])
        out.append(
            f'<line class="reference" x1="{x0}" y1="{_f(yr)}" x2="{_f(x0 + pw)}" y2="{_f(yr)}" '
            f'stroke="{AXIS}" stroke-width="1.5" stroke-dasharray="4 3">'
            f"<title>{esc(reference[1])}</title></line>"
        )

    out.extend(_x_labels(days, x_center, y0, pw))

    # The line, broken where a day has no score.
    segments, points = _line_points(values, x_center, y_of)
    out.append('<g class="rep-line">')
    out.extend(_polylines(segments, halo=5, width=2.2))
    for px, py, value, i in points:
        colour = POSITIVE if round(value) > 0 else NEGATIVE if round(value) < 0 else AXIS
        title = _("%(day)s: reputation %(score)s", day=_day_long(days[i]),
                  score=_signed(round(value)))
        out.append(
            f'<circle class="rep-point" cx="{_f(px)}" cy="{_f(py)}" r="{3 if n <= 31 else 2.2}" '
            f'fill="{colour}" stroke="#FFFFFF" stroke-width="1">'
            f"<title>{esc(title)}</title>"
            "</circle>"
        )
    out.append("</g>")
    # The latest score, next to the last point.
    lx_, ly_, last, _last_i = points[-1]
    out.append(
        f'<text class="last-value" x="{_f(min(lx_ + 8, width - 4))}" y="{_f(ly_ + 4)}" '
        f'fill="{TEXT}" font-size="12.5" font-weight="700">{esc(_signed(round(last)))}</text>'
        "</svg>"
    )
    return Markup("".join(out))


def diverging_bars(
    labels: Sequence[str],
    values: Sequence[float | None],
    highlight: str | None = None,
    width: int = 960,
    row_height: int = 30,
    label: str | None = None,
) -> Markup:
    """One bar per label from a zero line on a fixed -100..100 scale.

    Positive values extend right in blue, negative left in vermillion; ``None`` is
    written as "no score". The row whose label equals ``highlight`` is bold.
    """
    if len(labels) != len(values):
        raise ValueError("labels and values must have the same length")
    if not labels:
        return _empty_svg(width, 60, _("No brands to compare"), "compare")
    label = label or _("Reputation by brand")
    label_w, value_w, pad, axis_h = 170, 70, 8, 22
    area = max(width - label_w - value_w - 2 * pad, 20)
    half = area / 2
    xz = label_w + half
    height = row_height * len(labels) + 2 * pad + axis_h
    out: list[str] = [_svg_open(width, height, _("%(what)s, −100 to +100", what=label),
                                "compare")]
    top, bottom = pad, pad + row_height * len(labels)
    out.append(
        f'<rect x="{label_w}" y="{top}" width="{_f(half)}" height="{bottom - top}" '
        f'fill="{REP_NEGATIVE_BG}"/>'
        f'<rect x="{_f(xz)}" y="{top}" width="{_f(half)}" height="{bottom - top}" '
        f'fill="{REP_POSITIVE_BG}"/>'
    )
    for i, (name, value) in enumerate(zip(labels, values, strict=True)):
        y = pad + i * row_height
        is_hl = highlight is not None and name == highlight
        weight = ' font-weight="700"' if is_hl else ""
        cls = "bar bar-highlight" if is_hl else "bar"
        shown = _("no score") if value is None else _signed(round(value))
        title = _("%(brand)s: reputation %(score)s", brand=name, score=shown)
        out.append(
            f'<g class="{cls}"><title>{esc(title)}</title>'
            f'<text x="{label_w - 8}" y="{_f(y + row_height / 2 + 4)}" text-anchor="end" '
            f'fill="{TEXT}" font-size="12"{weight}>{esc(_truncate(name, 26))}</text>'
        )
        if value is not None and math.isfinite(value):
            v = min(100.0, max(-100.0, value))
            length = max(abs(v) / 100 * half, 2.0)
            x = xz if v >= 0 else xz - length
            colour = POSITIVE if v >= 0 else NEGATIVE
            opacity = "1" if is_hl or highlight is None else "0.55"
            out.append(
                f'<rect x="{_f(x)}" y="{_f(y + 6)}" width="{_f(length)}" '
                f'height="{row_height - 12}" rx="2" fill="{colour}" fill-opacity="{opacity}"/>'
            )
        out.append(
            f'<text x="{_f(label_w + area + pad)}" y="{_f(y + row_height / 2 + 4)}" '
            f'fill="{TEXT if value is not None else AXIS}" font-size="12"{weight}>'
            f"{esc(shown)}</text></g>"
        )
    out.append(
        f'<line x1="{_f(xz)}" y1="{top}" x2="{_f(xz)}" y2="{bottom}" stroke="{AXIS}"/>'
        '<g class="axis axis-bottom">'
    )
    for tick in (-100, -50, 0, 50, 100):
        x = xz + tick / 100 * half
        out.append(
            f'<line x1="{_f(x)}" y1="{bottom}" x2="{_f(x)}" y2="{bottom + 4}" stroke="{AXIS}"/>'
            f'<text x="{_f(x)}" y="{bottom + 16}" text-anchor="middle" fill="{AXIS}">'
            f"{_signed(tick)}</text>"
        )
    out.append("</g></svg>")
    return Markup("".join(out))


def sparkline(
    values: Sequence[int | float],
    label: str,
    recent: int = 0,
    top: float | None = None,
    width: int = 132,
    height: int = 34,
) -> Markup:
    """A small line of daily counts (oldest first), for a table cell or a list item.

    The last ``recent`` points are shaded; the last value gets a dot. ``top`` is the value
    at the full height (default: the largest value), so sparklines side by side can share
    one scale. The SVG carries the class ``spark`` (not ``chart``): it keeps its small size.
    """
    n = len(values)
    pad = 3.0
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spark" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{esc(label)}"><title>{esc(label)}</title>'
    ]
    top = max([float(v) for v in values] + [top or 0.0], default=0.0)
    if n == 0 or top <= 0:
        out.append(
            f'<line x1="{pad}" y1="{_f(height - pad)}" x2="{_f(width - pad)}" '
            f'y2="{_f(height - pad)}" stroke="{GRID}" stroke-width="2"/></svg>'
        )
        return Markup("".join(out))
    step = (width - 2 * pad) / max(n - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad + i * step, height - pad - max(v, 0.0) / top * (height - 2 * pad)

    if 0 < recent < n:
        xr = pad + (n - recent - 0.5) * step
        out.append(
            f'<rect x="{_f(xr)}" y="0" width="{_f(width - xr)}" height="{height}" '
            f'fill="{MARKER_BAND}" fill-opacity="0.35"/>'
        )
    pts = [xy(i, float(v)) for i, v in enumerate(values)]
    line = " ".join(f"{_f(x)},{_f(y)}" for x, y in pts)
    area = f"{_f(pts[0][0])},{_f(height - pad)} {line} {_f(pts[-1][0])},{_f(height - pad)}"
    out.append(
        f'<polygon points="{area}" fill="{NEGATIVE}" fill-opacity="0.15"/>'
        f'<polyline points="{line}" fill="none" stroke="{NEGATIVE}" stroke-width="1.6" '
        'stroke-linejoin="round"/>'
        f'<circle cx="{_f(pts[-1][0])}" cy="{_f(pts[-1][1])}" r="2.4" fill="{NEGATIVE}"/></svg>'
    )
    return Markup("".join(out))
