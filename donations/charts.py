"""Server-rendered SVG charts for the transparency board and the warehouse dashboard: no
JavaScript, no web fonts, no internet. Each chart has a <title>, role="img" with an aria-label
and a <title> per bar or point; the charts over time (`over_time`, `stock_lines`,
`needs_met_over_time`) also come with their figures as a table (`data_table`), linked to the
picture by aria-describedby, for screen readers and for anyone who wants the numbers."""

import hashlib

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

RECEIVED = "#c62828"
DISTRIBUTED = "#2e7d32"
# Line colours of the items in a stock chart, in turn (distinct in print and for most colour
# vision deficiencies; each line also has its name at its end).
PALETTE = ["#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#5d4037", "#455a64"]
NEEDS_MET = "#1565c0"


def _number(n):
    return f"{n:,}"


def paired_bars(rows, *, title, label_width=124, width=340):
    """Horizontal bars, two per row: rows are (label, received, distributed)."""
    if not rows:
        return ""
    peak = max(max(r[1], r[2]) for r in rows) or 1
    bar_area = width - label_width - 60
    row_height = 34
    height = row_height * len(rows) + 26
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}" width="100%">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, received, distributed) in enumerate(rows):
        y = index * row_height
        parts.append(
            f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" font-size="11">{escape(_short(label, 10))}</text>'
        )
        for offset, value, colour in ((2, received, RECEIVED), (16, distributed, DISTRIBUTED)):
            length = max(round(bar_area * value / peak), 1 if value else 0)
            parts.append(
                f'<rect x="{label_width}" y="{y + offset}" width="{length}" height="12" fill="{colour}">'
                f"<title>{escape(label)}: {_number(value)}</title></rect>"
                f'<text x="{label_width + length + 4}" y="{y + offset + 10}" font-size="10">{_number(value)}</text>'
            )
    parts.append(_legend(height - 14))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def weekly_columns(rows, *, title, width=340, height=180):
    """Vertical bars per week: rows are (date, received, distributed)."""
    if not rows:
        return ""
    peak = max(max(r[1], r[2]) for r in rows) or 1
    plot_height = height - 44
    slot = (width - 20) / len(rows)
    bar = max(min(slot / 2 - 2, 18), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="10" y1="{plot_height}" x2="{width - 10}" y2="{plot_height}" stroke="#999"/>',
    ]
    ticks = _tick_indexes(len(rows), most=max(int((width - 20) // 32), 1))
    for index, (week, received, distributed) in enumerate(rows):
        x = 10 + index * slot + (slot - 2 * bar) / 2
        for shift, value, colour in ((0, received, RECEIVED), (bar, distributed, DISTRIBUTED)):
            h = round(plot_height * value / peak) if value else 0
            parts.append(
                f'<rect x="{x + shift:.1f}" y="{plot_height - h}" width="{bar:.1f}" height="{h}" fill="{colour}">'
                f"<title>{week:%m-%d}: {_number(value)}</title></rect>"
            )
        if index in ticks:
            parts.append(
                f'<text x="{x + bar:.1f}" y="{plot_height + 13}" text-anchor="middle" font-size="9">{week:%m/%d}</text>'
            )
    parts.append(_legend(height - 14))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - no user text besides escaped labels


def _legend(y):
    return (
        f'<rect x="10" y="{y}" width="10" height="10" fill="{RECEIVED}"/>'
        f'<text x="24" y="{y + 9}" font-size="11">{escape(_("Received"))}</text>'
        f'<rect x="100" y="{y}" width="10" height="10" fill="{DISTRIBUTED}"/>'
        f'<text x="114" y="{y + 9}" font-size="11">{escape(_("Handed out"))}</text>'
    )


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- Over time, with the figures as a table --------------------------------------------------


def _chart_id(title):
    return "chart-" + hashlib.sha256(str(title).encode()).hexdigest()[:10]


def data_table(caption, headers, rows, *, table_id):
    """The figures of a chart as a table, folded under a "figures" toggle."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headers)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f'<td class="num">{_number(v)}</td>' for v in row[1:])
        + "</tr>"
        for row in rows
    )
    toggle = _("Figures as a table")
    return (
        f'<details class="chart-data"><summary>{escape(toggle)}</summary>'
        f'<div class="table-scroll"><table id="{table_id}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></details>"
    )


def _figure(svg, table):
    return mark_safe(f'<figure class="chart-figure">{svg}{table}</figure>')  # noqa: S308


def over_time(rows, *, title):
    """Received and handed out per week, as columns with their table: rows are (week start,
    received, distributed)."""
    if not rows:
        return ""
    table_id = _chart_id(title)
    svg = weekly_columns(rows, title=title).replace(
        'role="img"', f'role="img" aria-describedby="{table_id}"', 1
    )
    table = data_table(
        title,
        [_("Week starting"), _("Received"), _("Handed out")],
        [(f"{week:%Y-%m-%d}", received, out) for week, received, out in rows],
        table_id=table_id,
    )
    return _figure(svg, table)


def _tick_indexes(count, most=6):
    """Which of `count` week labels to print so that they never overlap: at most `most`,
    evenly spaced back from the latest week, which always has its label."""
    step = max(-(-count // most), 1)
    return set(range(count - 1, -1, -step))


def stock_lines(weeks, series, *, title, width=340, plot=160):
    """Stock on hand at the end of each week, one line per item: `weeks` are the week starts,
    `series` are (label, [value per week]). A legend names the lines; with its table (a
    column per item)."""
    series = [(label, values) for label, values in series if values]
    if not weeks or not series:
        return ""
    table_id = _chart_id(title)
    peak = max(max(values) for _label, values in series) or 1
    left, right, top = 44, 12, 10
    height = plot + 26 + 15 * len(series)
    step = (width - left - right) / max(len(weeks) - 1, 1)

    def point(index, value):
        return left + index * step, top + (plot - top) * (1 - max(value, 0) / peak)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}" aria-describedby="{table_id}" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{plot}" x2="{width - right}" y2="{plot}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="9">{_number(peak)}</text>',
        f'<text x="{left - 4}" y="{plot}" text-anchor="end" font-size="9">0</text>',
    ]
    ticks = _tick_indexes(len(weeks))
    for index, week in enumerate(weeks):
        if index in ticks:
            x, _y = point(index, 0)
            parts.append(
                f'<text x="{x:.1f}" y="{plot + 13}" text-anchor="middle" '
                f'font-size="9">{week:%m/%d}</text>'
            )
    for number, (label, values) in enumerate(series):
        colour = PALETTE[number % len(PALETTE)]
        points = [point(i, v) for i, v in enumerate(values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<g><title>{escape(label)}</title><polyline points="{path}" fill="none" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        for (x, y), week, value in zip(points, weeks, values, strict=True):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"><title>'
                f"{escape(label)} {week:%m-%d}: {_number(value)}</title></circle>"
            )
        y = plot + 24 + 15 * number
        parts.append(
            f'<rect x="{left}" y="{y}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{left + 14}" y="{y + 9}" font-size="11">{escape(_short(label, 24))} '
            f"{_number(values[-1])}</text></g>"
        )
    parts.append("</svg>")
    table = data_table(
        title,
        [_("Week starting"), *[label for label, _values in series]],
        [
            (f"{week:%Y-%m-%d}", *[values[i] for _label, values in series])
            for i, week in enumerate(weeks)
        ],
        table_id=table_id,
    )
    return _figure("".join(parts), table)


def needs_met_over_time(rows, *, title=None, width=340, height=160):
    """Needs met per week, as columns with their table: rows are (week start, count), from
    services.needs.met_by_week (the board and the dashboard's charts panel)."""
    title = title or _("Needs met, by week")
    if not rows:
        return ""
    table_id = _chart_id(title)
    peak = max(count for _week, count in rows) or 1
    plot_height = height - 30
    slot = (width - 20) / len(rows)
    bar = max(min(slot - 4, 24), 2)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="chart" aria-label="{escape(title)}" aria-describedby="{table_id}" width="100%">',
        f"<title>{escape(title)}</title>",
        f'<line x1="10" y1="{plot_height}" x2="{width - 10}" y2="{plot_height}" stroke="#999"/>',
    ]
    ticks = _tick_indexes(len(rows), most=max(int((width - 20) // 32), 1))
    for index, (week, count) in enumerate(rows):
        x = 10 + index * slot + (slot - bar) / 2
        h = round((plot_height - 10) * count / peak) if count else 0
        parts.append(
            f'<rect x="{x:.1f}" y="{plot_height - h}" width="{bar:.1f}" height="{h}" '
            f'fill="{NEEDS_MET}"><title>{week:%m-%d}: {_number(count)}</title></rect>'
        )
        if index in ticks:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{plot_height + 13}" text-anchor="middle" '
                f'font-size="9">{week:%m/%d}</text>'
            )
    parts.append("</svg>")
    table = data_table(
        title,
        [_("Week starting"), _("Needs met")],
        [(f"{week:%Y-%m-%d}", count) for week, count in rows],
        table_id=table_id,
    )
    return _figure("".join(parts), table)
