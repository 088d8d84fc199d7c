"""Reading uploaded spreadsheets, running all-or-nothing imports, describing their problems,
keeping an upload between preview and confirmation, and writing exports."""

import logging
import secrets
from dataclasses import dataclass

import tablib
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


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message is translated and shown as is."""


def read_dataset(content, file_format, resource):
    """Parse an uploaded xlsx/csv file into a Dataset with the resource's column names."""
    try:
        if file_format == "csv":
            for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportFileError(_("The CSV file is neither UTF-8 nor GBK text."))
            dataset = tablib.Dataset().load(text, format="csv")
        elif file_format == "xlsx":
            dataset = tablib.Dataset().load(content, format="xlsx")
        else:
            raise ImportFileError(_("Upload an .xlsx or .csv file."))
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a readable file"
        logger.info("unreadable import file: %s", exc)
        raise ImportFileError(
            _("The file could not be read as %(format)s.") % {"format": file_format}
        ) from exc
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
