"""Reading uploaded spreadsheets, running all-or-nothing imports, describing their problems,
keeping an upload between preview and confirmation, and writing exports."""

import csv
import io
import itertools
import logging
import secrets
import zipfile
from dataclasses import dataclass

import openpyxl
import tablib
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from .resources import cell_text

logger = logging.getLogger(__name__)

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
STASH_SECONDS = 60 * 60


MAX_UPLOAD_BYTES = 5 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"  # an xlsx is a zip archive


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is translated and shown as is."""


def read_upload(upload):
    """An uploaded file's (format, bytes), refused with an ImportFileError unless it is a
    spreadsheet of at most MAX_UPLOAD_BYTES. The one door of every upload: the back office's
    Import buttons and a donor's pledge spreadsheet.

    The name says csv or xlsx; the content has the last word, since Excel and WPS users rename
    files: a zip named .csv is read as the xlsx it is."""
    file_format = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if file_format not in FORMATS:
        raise ImportFileError(_("Upload an .xlsx or .csv file."))
    if upload.size > MAX_UPLOAD_BYTES:
        raise ImportFileError(_("The file is larger than 5 MB."))
    content = upload.read()
    if content.startswith(XLSX_MAGIC):
        file_format = "xlsx"
    return file_format, content


def _decode_csv(content):
    """CSV text as Excel and WPS save it: UTF-8 with a BOM (Excel's "CSV UTF-8"), UTF-8 without
    (WPS, scripts), or the local code page, which in China is GBK; GB18030 is its superset (and
    covers every Unicode character), so it is the one to try."""
    for encoding in ("utf-8-sig", "gb18030"):  # utf-8-sig also reads UTF-8 without a BOM
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("The CSV file is neither UTF-8 nor GB18030 (GBK) text."))


def _too_many_rows(max_rows):
    return ImportFileError(
        _(
            "The file has more than %(max)s rows under its header; split it into smaller "
            "files of at most %(max)s rows."
        )
        % {"max": max_rows}
    )


def _check_xlsx(content, max_rows):
    """Before tablib parses an xlsx: its unpacked size (a zip of a few kilobytes can unpack to
    gigabytes), then its rows, counted by streaming the sheet and stopping past the cap."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ImportFileError(
            _("The file could not be read as %(format)s.") % {"format": "xlsx"}
        ) from exc
    if unpacked > settings.IMPORT_MAX_UNCOMPRESSED_BYTES:
        logger.info("xlsx refused: %s bytes unpacked", unpacked)
        raise ImportFileError(
            _("The spreadsheet is too large once unpacked; split it into smaller files.")
        )
    if max_rows is None:
        return
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            rows = workbook.active.iter_rows(values_only=True)
            filled = (row for row in rows if any(cell_text(v) for v in row))
            # The header and max_rows rows are allowed: stop reading at the one after.
            if sum(1 for _row in itertools.islice(filled, max_rows + 2)) > max_rows + 1:
                raise _too_many_rows(max_rows)
        finally:
            workbook.close()
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable file"
        logger.info("unreadable xlsx: %s", exc)
        raise ImportFileError(
            _("The file could not be read as %(format)s.") % {"format": "xlsx"}
        ) from exc


def _check_csv_rows(text, max_rows):
    rows = (row for row in csv.reader(io.StringIO(text)) if any(c.strip() for c in row))
    if sum(1 for _row in itertools.islice(rows, max_rows + 2)) > max_rows + 1:
        raise _too_many_rows(max_rows)


def open_spreadsheet(content, file_format, max_rows):
    """An uploaded xlsx/csv file as a tablib Dataset (first row as headers), refused with an
    ImportFileError before parsing when it is too large once unpacked or has more than
    `max_rows` filled rows under its header (None: no row cap)."""
    try:
        if file_format == "csv":
            text = _decode_csv(content)
            if max_rows is not None:
                _check_csv_rows(text, max_rows)
            return tablib.Dataset().load(text, format="csv")
        if file_format == "xlsx":
            _check_xlsx(content, max_rows)
            return tablib.Dataset().load(content, format="xlsx")
        raise ImportFileError(_("Upload an .xlsx or .csv file."))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable file"
        logger.info("unreadable import file: %s", exc)
        raise ImportFileError(
            _("The file could not be read as %(format)s.") % {"format": file_format}
        ) from exc


def read_dataset(content, file_format, resource, max_rows=None):
    """Parse an uploaded xlsx/csv file into a Dataset with the resource's column names; at most
    `max_rows` rows (settings.IMPORT_MAX_ROWS_STAFF unless given)."""
    if max_rows is None:
        max_rows = settings.IMPORT_MAX_ROWS_STAFF
    dataset = open_spreadsheet(content, file_format, max_rows)
    if not dataset.headers:
        raise ImportFileError(_("The file is empty."))

    aliases = resource.header_aliases()
    dataset.headers = [aliases.get(cell_text(h).lower(), cell_text(h)) for h in dataset.headers]
    missing = [c for c in resource.required_columns() if c not in dataset.headers]
    if missing:
        raise ImportFileError(
            _("The file lacks the column(s): %(columns)s.") % {"columns": "、".join(missing)}
        )
    # Spreadsheets often carry empty rows at the end; they are not rows to import.
    while len(dataset) and not any(cell_text(v) for v in dataset[-1]):
        del dataset[-1]
    if not len(dataset):
        raise ImportFileError(_("The file has no rows under its header."))
    return dataset


def run_import(resource, dataset, *, dry_run):
    """Import all or nothing: one transaction, rolled back on any invalid or failed row."""
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


def import_failed(result):
    return result.has_errors() or result.has_validation_errors()


@dataclass
class RowProblem:
    row: int | None  # the spreadsheet's row number (the header is row 1); None: the whole file
    field: str  # the column header; "" when the problem is about the row as a whole
    message: str

    def __str__(self):
        if self.row is None:
            return self.message
        where = _("Row %(number)s") % {"number": self.row}
        if self.field:
            return _("%(row)s · %(field)s: %(message)s") % {
                "row": where,
                "field": self.field,
                "message": self.message,
            }
        return _("%(row)s: %(message)s") % {"row": where, "message": self.message}


def _exception_message(exc):
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    logger.warning("import row failed", exc_info=exc)
    return _("This row could not be saved (%(error)s).") % {"error": exc}


def describe_problems(resource, result):
    """Every problem of an import result, in row order, with row numbers as the file shows them."""
    problems = [RowProblem(None, "", _exception_message(e.error)) for e in result.base_errors]
    for invalid in result.invalid_rows:
        for key, messages_ in invalid.error_dict.items():
            field = "" if key == NON_FIELD_ERRORS else resource.column_label(key)
            problems.extend(RowProblem(invalid.number + 1, field, m) for m in messages_)
    for number, errors in result.row_errors():
        problems.extend(RowProblem(number + 1, "", _exception_message(e.error)) for e in errors)
    problems.sort(key=lambda p: p.row or 0)
    return problems


def stash_upload(user, model, file_format, filename, content):
    """Keep an uploaded file between preview and confirmation; returns its token.

    The cache is shared by every web process in production (Redis), so the confirmation may land
    on another process. The token is bound to the user and the model.
    """
    token = secrets.token_urlsafe(18)
    cache.set(
        f"importexport:{token}",
        {
            "user": user.pk,
            "model": model._meta.label_lower,
            "format": file_format,
            "filename": filename,
            "content": content,
        },
        STASH_SECONDS,
    )
    return token


def load_upload(token, user, model):
    stash = cache.get(f"importexport:{token}")
    if not stash or stash["user"] != user.pk or stash["model"] != model._meta.label_lower:
        return None
    return stash


def claim_upload(token):
    """Take the stored file for a confirmed import; False when another request already has it
    (a double click), so one file is imported once."""
    return cache.delete(f"importexport:{token}")


def restore_upload(token, stash):
    cache.set(f"importexport:{token}", stash, STASH_SECONDS)


# --- Views -----------------------------------------------------------------------------------
