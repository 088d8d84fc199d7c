"""Ids and numbers from a query string or a form, where anybody can type anything.

`?item=abc`, `?item=²` (a digit to str.isdigit, not to int) or an id of 2**70 must be a 404 or
an ignored parameter, never a ValueError or OverflowError from the database layer (a 500).
"""

from django import shortcuts
from django.core.exceptions import ValidationError
from django.http import Http404

MAX_ID = 2**63 - 1  # the largest BigAutoField


def parse_id(value):
    """A primary key as an int, or None when `value` is not a plain decimal id in range."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_ids(values):
    """The valid ids among `values` (a getlist()), in order; the rest are dropped."""
    return [number for number in map(parse_id, values) if number is not None]


def get_object_or_404(klass, *args, **kwargs):
    """Django's get_object_or_404, with garbage in a lookup value (an id typed into a form) a
    404 as well, rather than the ValueError the database layer raises."""
    try:
        return shortcuts.get_object_or_404(klass, *args, **kwargs)
    except (ValueError, TypeError, OverflowError, ValidationError) as exc:
        raise Http404 from exc
