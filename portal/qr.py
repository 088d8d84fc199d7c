"""QR codes as SVG (segno), for pages and PDFs alike."""

import base64

import segno


def qr_svg(data, *, scale=4, border=2, title=None):
    """An inline <svg> element for `data`."""
    code = segno.make(data, error="m", micro=False)
    return code.svg_inline(scale=scale, border=border, title=title, dark="#000", light="#fff")


def qr_data_uri(data, *, scale=4, border=2):
    """A data: URI of the SVG, for an <img src> (WeasyPrint embeds it as vectors)."""
    code = segno.make(data, error="m", micro=False)
    svg = code.svg_inline(scale=scale, border=border, xmldecl=False)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
