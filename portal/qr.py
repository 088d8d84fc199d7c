"""QR codes as SVG (segno), for pages and PDFs alike.

Vector output stays sharp at any print resolution and adds about 1-3 KB to a PDF. Error
correction level M survives a crease or a smudge; the 4-module quiet zone is what the QR
standard asks for, so phone scanners find the code even on a busy page.
"""

import base64

import segno
from django.utils.safestring import mark_safe

ERROR_LEVEL = "m"
QUIET_ZONE = 4


def make(data):
    return segno.make(data, error=ERROR_LEVEL, micro=False)


def qr_svg(data, *, scale=4, border=QUIET_ZONE, title=None, omitsize=False):
    """An inline <svg> element for `data`, safe to output in a template.

    With omitsize=True the element has a viewBox and no width/height, so CSS sizes it (the
    PDF base layout does that).
    """
    svg = make(data).svg_inline(
        scale=scale, border=border, title=title, dark="#000", light="#fff", omitsize=omitsize
    )
    return mark_safe(svg)  # noqa: S308 - segno escapes the title; the data is encoded as modules


def qr_data_uri(data, *, scale=4, border=QUIET_ZONE):
    """A data: URI of the SVG, for an <img src> (WeasyPrint embeds it as vectors)."""
    svg = make(data).svg_inline(scale=scale, border=border, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_png(data, *, scale=8, border=QUIET_ZONE):
    """PNG bytes, where an SVG will not do (e.g. an attachment to a message)."""
    import io

    buffer = io.BytesIO()
    make(data).save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
