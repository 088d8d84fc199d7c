"""Lot labels (issue 15 item 5): A4 sheets of stickers with the item, the lot, the expiry date
and a QR code, and reading back what a scanner typed.

The label stock is the common 3 × 8 sheet of 24 labels, 70 × 37 mm each, with no gaps and
0.5 mm top and bottom margins (as sold under "A4 24 labels 70×37", e.g. Avery 3474). A sheet
can be started at a later position, so a half-used sheet goes back in the printer.

The QR code holds only the lot page's address on the real site (portal.links.site_url, from
SITE_URL): no token, nothing that lets its holder do anything. The page asks who is looking
(login), and shows only what their role and scope allow (donations.lot_actions).
"""

import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from portal.links import site_url
from portal.pdf import render_pdf

COLUMNS, ROWS = 3, 8
PER_SHEET = COLUMNS * ROWS
MAX_LABELS = 10 * PER_SHEET  # ten sheets in one PDF
MAX_COPIES = PER_SHEET
CODE_PREFIX = "LOT-"
_CODE = re.compile(r"^\s*LOT-?0*(\d{1,12})\s*$", re.IGNORECASE)


def lot_url(lot):
    """What the label's QR code holds: the lot page's absolute address."""
    return site_url("donations:lot", lot.pk)


def lot_code(lot):
    """The code printed under the QR code, for typing when there is no scanner: LOT-000123."""
    return f"{CODE_PREFIX}{lot.pk:06d}"


def lot_from_scan(text):
    """The lot id a scanned or typed label gives ("LOT-000123", or the QR code's address,
    with or without the site), else None: any other search text is searched as text."""
    text = (text or "").strip()
    if not text:
        return None
    if match := _CODE.match(text):
        return int(match.group(1))
    path = urlsplit(text).path if "://" in text else text
    if not path.startswith("/"):
        return None
    try:
        found = resolve(path if path.endswith("/") else path + "/")
    except Resolver404:
        return None
    if found.view_name != "donations:lot":
        return None
    return int(found.kwargs["pk"])


def label_pages(lots, copies, skip=0):
    """The labels in sheet order, `copies` of each lot, after `skip` empty positions, cut
    into sheets of rows of COLUMNS (None for a blank position)."""
    cells = [None] * skip
    for lot in lots:
        cells += [{"lot": lot, "url": lot_url(lot), "code": lot_code(lot)} for _n in range(copies)]
    cells += [None] * (-len(cells) % PER_SHEET)
    sheets = [cells[i : i + PER_SHEET] for i in range(0, len(cells), PER_SHEET)]
    return [[sheet[r : r + COLUMNS] for r in range(0, PER_SHEET, COLUMNS)] for sheet in sheets]


def label_sheet_pdf(lots, copies=1, skip=0):
    """(filename, content type, bytes) of the label sheets of `lots`."""
    from portal.qr import qr_svg

    pages = label_pages(lots, copies, skip)
    for sheet in pages:
        for row in sheet:
            for cell in row:
                if cell:
                    cell["qr"] = qr_svg(cell["url"], omitsize=True, border=2)
    context = {"pages": pages, "document_title": _("Lot labels")}
    return render_pdf("donations/pdf/labels.html", context, "lot-labels.pdf")
