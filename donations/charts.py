"""Server-rendered SVG bar charts for the transparency board: no JavaScript, no web fonts, no
internet. Each function returns safe markup with a <title> and a text alternative per bar."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

RECEIVED = "#c62828"
DISTRIBUTED = "#2e7d32"


def _number(n):
    return f"{n:,}"


def paired_bars(rows, *, title, label_width=110, width=340):
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
            f'<text x="{label_width - 6}" y="{y + 17}" text-anchor="end" font-size="12">{escape(_short(label, 9))}</text>'
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
    for index, (week, received, distributed) in enumerate(rows):
        x = 10 + index * slot + (slot - 2 * bar) / 2
        for shift, value, colour in ((0, received, RECEIVED), (bar, distributed, DISTRIBUTED)):
            h = round(plot_height * value / peak) if value else 0
            parts.append(
                f'<rect x="{x + shift:.1f}" y="{plot_height - h}" width="{bar:.1f}" height="{h}" fill="{colour}">'
                f"<title>{week:%m-%d}: {_number(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar:.1f}" y="{plot_height + 13}" text-anchor="middle" font-size="9">{week:%m/%d}</text>'
        )
    parts.append(_legend(height - 14))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - no user text besides escaped labels


def _legend(y):
    from django.utils.translation import gettext as _

    return (
        f'<rect x="10" y="{y}" width="10" height="10" fill="{RECEIVED}"/>'
        f'<text x="24" y="{y + 9}" font-size="11">{escape(_("Received"))}</text>'
        f'<rect x="100" y="{y}" width="10" height="10" fill="{DISTRIBUTED}"/>'
        f'<text x="114" y="{y + 9}" font-size="11">{escape(_("Handed out"))}</text>'
    )


def _short(text, limit):
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
