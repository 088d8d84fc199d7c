"""Spreadsheets out: every export of the portal, whoever built its rows, is written here.

A cell that a person typed (a name, a work unit, a reason) reaches the coordinator's Excel. Text
that starts like a formula (`=HYPERLINK(...)`, `+cmd|...`, `-2+3`, `@SUM(...)`, or a tab or
carriage return before one) would run there. So text is never written as a formula:

- xlsx: text is always written as a text cell (never openpyxl's formula type), with Excel's
  quote prefix when it looks like a formula, so it also stays text when someone edits the cell.
  The value is exactly what was typed and imports back unchanged.
- csv: a file has no types, so text that looks like a formula gets a leading apostrophe (the
  OWASP advice); Excel shows it as text.

Numbers are written as numbers (a negative quantity stays a number, not text), dates and times
as date cells in local time. The full-width forms (＝＋－＠) are treated like their ASCII
forms: Chinese input methods type them, and spreadsheet programs in a Chinese locale may read
them as the start of a formula.

django-import-export's own IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT is also on (settings), for
any path through its format classes; in 4.4 it only strips a leading "=" and turns every cell
into text, so the portal's exports go through `spreadsheet_bytes` instead.
"""

import csv
import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .files import FORMATS

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


def looks_like_formula(text):
    """True for text a spreadsheet might evaluate. Plain numbers ("-5", "+86") are not: they
    cannot call anything, and mobile numbers or signed quantities written as text stay as
    they are."""
    if not isinstance(text, str) or not text.startswith(FORMULA_STARTS):
        return False
    try:
        Decimal(text)
    except ArithmeticError:
        return True
    return text[0].isspace()


def neutralise(text):
    """Text as a csv cell that no spreadsheet evaluates."""
    return "'" + text if looks_like_formula(text) else text


def _local(value):
    """Dates stay dates; an aware datetime becomes local wall-clock time (Excel has no zones)."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _plain(value):
    """A value as one of the types both writers know: None, bool, number, date, datetime, str."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return _local(value)
    return str(value)


def _csv_cell(value):
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return str(value)


def csv_bytes(dataset):
    stream = io.StringIO()
    writer = csv.writer(stream)
    if dataset.headers:
        writer.writerow([_csv_cell(h) for h in dataset.headers])
    for row in dataset:
        writer.writerow([_csv_cell(value) for value in row])
    return stream.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _write_cell(cell, value):
    value = _plain(value)
    if isinstance(value, str):
        # Characters XML cannot hold (control characters) would make openpyxl refuse the file.
        value = ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
        cell.value = value
        cell.data_type = "s"  # text, even when it starts with "="
        if looks_like_formula(value):
            cell.quotePrefix = True  # editing the cell in Excel keeps it text
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True)
        return
    cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT


def xlsx_bytes(dataset):
    workbook = Workbook()
    sheet = workbook.active
    if dataset.title:
        sheet.title = "".join(c for c in str(dataset.title) if c not in r"[]:*?/\\")[:31] or "1"
    rows = list(dataset)
    widths = {}
    start = 1
    if dataset.headers:
        bold = Font(bold=True)
        for column, header in enumerate(dataset.headers, start=1):
            cell = sheet.cell(row=1, column=column)
            _write_cell(cell, header)
            cell.font = bold
        sheet.freeze_panes = "A2"
        start = 2
    for number, row in enumerate(rows, start=start):
        for column, value in enumerate(row, start=1):
            _write_cell(sheet.cell(row=number, column=column), value)
    for row in sheet.iter_rows():
        for cell in row:
            length = len(str(cell.value)) if cell.value is not None else 0
            widths[cell.column] = max(widths.get(cell.column, 0), min(length * 2, 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 8)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def spreadsheet_bytes(dataset, file_format):
    """A tablib Dataset as the bytes of an xlsx or csv file, with formulas neutralised."""
    if file_format == "csv":
        return csv_bytes(dataset)
    if file_format == "xlsx":
        return xlsx_bytes(dataset)
    raise ValueError(f"unknown spreadsheet format {file_format!r}")


def spreadsheet_response(dataset, file_format, basename, sheet):
    """A download of the dataset as `basename.xlsx` or `basename.csv` (a Chinese name is fine),
    its sheet named `sheet` (what the export holds, in the user's language; never a library's
    default such as "Tablib Dataset" or "Sheet")."""
    dataset.title = str(sheet)
    response = HttpResponse(
        spreadsheet_bytes(dataset, file_format), content_type=FORMATS[file_format]
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{basename}.{file_format}")
    return response
