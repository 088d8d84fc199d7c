"""Validators for the identifiers people type: mainland mobile numbers, ID numbers, credit codes."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


def normalize_mobile(value):
    """Strip spaces, dashes and a +86/0086 prefix; return the 11 digits (not validated)."""
    digits = re.sub(r"[\s\-()]", "", str(value or ""))
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    return digits


def validate_mobile(value):
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(
            _("Enter a valid mainland China mobile number (11 digits starting with 1)."),
            code="invalid_mobile",
        )


ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK = "10X98765432"


def id_number_check_char(first17):
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def validate_id_number(value):
    """A resident identity card number (18 characters, GB 11643 check character)."""
    value = (value or "").strip().upper()
    if not re.match(r"^\d{17}[\dX]$", value) or id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(
            _("This ID card number is not valid; please check it and try again."),
            code="invalid_id_number",
        )


def mask_id_number(value):
    if not value:
        return ""
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_mobile(value):
    if not value or len(value) < 7:
        return value or ""
    return f"{value[:3]}****{value[-4:]}"


USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check_char(first17):
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value):
    """A unified social credit code (GB 32100-2015: 18 characters, mod-31 check character)."""
    value = (value or "").strip().upper()
    if (
        len(value) != 18
        or any(c not in USCC_CHARS for c in value)
        or uscc_check_char(value[:17]) != value[17]
    ):
        raise ValidationError(
            _("This unified social credit code is not valid; please check the 18 characters."),
            code="invalid_credit_code",
        )
