"""Validators for the identifiers people type: mainland mobile numbers, ID numbers, credit codes.

Resident identity card numbers (GB 11643) and unified social credit codes (GB 32100) are checked
by python-stdnum (`stdnum.cn.ric`, `stdnum.cn.uscc`): length, characters, check character, and
for ID numbers a real birth date (not in the future) and a known region code. Each failure gets
its own message, so a person knows which part to look at again.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

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


# A fixed line: an area code (010, 020-029: three digits; the others four, 0 then not 0)
# then 7 or 8 digits not starting with 0 or 1, maybe an extension; or a local number of 7-8
# digits alone (a Beijing household gives its 8 digits without 010).
LANDLINE_RE = re.compile(r"^(?:(0(?:10|2\d|[3-9]\d{2}))-?)?([2-9]\d{6,7})(?:-(\d{1,6}))?$")
PHONE_MESSAGE = _(
    "Enter a mobile number (11 digits starting with 1) or a landline with its area code "
    "(for example 010-63811234)."
)


def _landline(digits):
    """(area, number) of a landline's digits (area code first, or a local number), or None."""
    if digits.startswith("0"):
        for length in (3, 4):
            match = LANDLINE_RE.match(f"{digits[:length]}-{digits[length:]}")
            if match and match.group(1) == digits[:length]:
                return match.group(1), match.group(2)
        return None
    match = LANDLINE_RE.match(digits)
    return (None, match.group(2)) if match else None


def normalize_phone(value):
    """A mobile number as its 11 digits; a landline as "area-number[-extension]" (brackets,
    spaces, dashes, full-width digits, +86 and "转" before an extension are accepted). Not
    validated: an unrecognised value comes back stripped."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    mobile = normalize_mobile(text)
    if MOBILE_RE.match(mobile):
        return mobile
    main, _sep, extension = text.partition("转")
    main = re.sub(r"^\s*(?:\+86|0086)", "0", main)
    digits = re.sub(r"[\s\-()]", "", main)
    found = _landline(digits) if digits.isdigit() else None
    if found is None and not extension and "-" in main:
        # 010-63811234-123: the last group is an extension
        head, _dash, tail = main.rstrip().rpartition("-")
        head_digits = re.sub(r"[\s\-()]", "", head)
        if tail.strip().isdigit() and head_digits.isdigit():
            found, extension = _landline(head_digits), tail.strip()
    extension = extension.strip()
    if found is None or (extension and not re.fullmatch(r"\d{1,6}", extension)):
        return text
    return "-".join(part for part in (*found, extension) if part)


def validate_phone(value):
    """A mainland mobile number or a landline (normalize_phone's forms)."""
    phone = normalize_phone(value)
    if MOBILE_RE.match(phone):
        return
    if LANDLINE_RE.match(phone) is None:
        raise ValidationError(PHONE_MESSAGE, code="invalid_phone")


# --- Resident identity card numbers ----------------------------------------------------------


def normalize_id_number(value):
    """The number as stored and compared: half-width (a Chinese keyboard may type full-width),
    no spaces, upper-case X."""
    return ric.compact(unicodedata.normalize("NFKC", str(value or "")))


def id_number_check_char(first17):
    """The check character that completes 17 digits (for tests and demo data)."""
    return ric.calc_check_digit(f"{first17}0")


def _known_region(code):
    """Whether the address code was ever assigned (stdnum's table of Chinese divisions)."""
    from stdnum import numdb

    return any("county" in props for _part, props in numdb.get("cn/loc").info(code))


def validate_id_number(value):
    """A resident identity card number: 18 characters, the GB 11643 check character, a real
    birth date that is not in the future, and a region code that exists.

    stdnum's own validate() also insists that the district existed in the birth year, which
    refuses real numbers (people born before their district was created got its code later)
    and raises KeyError on a province-only code; its parts are used one by one instead."""
    number = normalize_id_number(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID card number has 18 characters; please check it."),
            code="invalid_id_number_length",
        )
    if not number[:17].isdigit() or not number[:17].isascii():
        raise ValidationError(
            _("An ID card number is 17 digits followed by a digit or X; please check it."),
            code="invalid_id_number_format",
        )
    if number[17] != ric.calc_check_digit(number):
        raise ValidationError(
            _("The last character of this ID card number does not match; please check it."),
            code="invalid_id_number_checksum",
        )
    try:
        born = ric.get_birth_date(number)
    except stdnum_errors.InvalidComponent as error:
        raise ValidationError(
            _("The date of birth in this ID card number (characters 7-14) is not a real date."),
            code="invalid_id_number_birth_date",
        ) from error
    if born > timezone.localdate():
        raise ValidationError(
            _("The date of birth in this ID card number (characters 7-14) is in the future."),
            code="invalid_id_number_birth_date",
        )
    if not _known_region(number[:6]):
        raise ValidationError(
            _("The first 6 digits of this ID card number are not a known region code."),
            code="invalid_id_number_region",
        )


# Other ID documents (issue 14): their format only (no public checksum, except the 2017
# foreign permanent residence card, which uses the resident ID card's). Keys are the values of
# volunteers.VolunteerProfile.IdType.
RESIDENT_ID = "resident_id"
_HK_MACAO_RE = re.compile(r"^[HM]\d{8}(\d{2})?$")  # 港澳居民来往内地通行证: H/M + 8 (or 10) digits
_TAIWAN_RE = re.compile(r"^\d{8}(\d{2})?$")  # 台湾居民来往大陆通行证: 8 digits (older: 10)
_PASSPORT_RE = re.compile(r"^(?=.*\d)[A-Z0-9]{5,17}$")  # any country's: letters and digits
_FOREIGN_OLD_RE = re.compile(r"^[A-Z]{3}\d{12}$")  # 外国人永久居留证 (2004): 3 letters, 12 digits
_FOREIGN_NEW_RE = re.compile(r"^9\d{16}[\dX]$")  # 外国人永久居留身份证 (2017): 9 + 17


def _validate_hk_macao(number):
    if not _HK_MACAO_RE.match(number):
        raise ValidationError(
            _(
                "A Mainland Travel Permit for Hong Kong and Macao Residents number is H or M "
                "followed by 8 digits; please check it."
            ),
            code="invalid_hk_macao_permit",
        )


def _validate_taiwan(number):
    if not _TAIWAN_RE.match(number):
        raise ValidationError(
            _(
                "A Mainland Travel Permit for Taiwan Residents number has 8 digits; please check "
                "it."
            ),
            code="invalid_taiwan_permit",
        )


def _validate_passport(number):
    if not _PASSPORT_RE.match(number):
        raise ValidationError(
            _("A passport number has 5 to 17 letters and digits; please check it."),
            code="invalid_passport",
        )


def _validate_foreign_permanent(number):
    if _FOREIGN_OLD_RE.match(number):
        return
    if _FOREIGN_NEW_RE.match(number) and number[17] == ric.calc_check_digit(number):
        return
    raise ValidationError(
        _(
            "A Foreign Permanent Resident ID Card number has 18 characters starting with 9 (or, "
            "on an older card, 3 letters and 12 digits); please check it."
        ),
        code="invalid_foreign_permanent_id",
    )


ID_DOCUMENT_VALIDATORS = {
    RESIDENT_ID: validate_id_number,
    "hk_macao_permit": _validate_hk_macao,
    "taiwan_permit": _validate_taiwan,
    "passport": _validate_passport,
    "foreign_permanent_id": _validate_foreign_permanent,
}


def validate_id_document(id_type, value):
    """The number's format for its document type (the resident ID card: its full check)."""
    validator = ID_DOCUMENT_VALIDATORS.get(id_type)
    if validator is None:
        raise ValidationError(_("Choose the type of ID document."), code="invalid_id_type")
    validator(normalize_id_number(value))


def mask_id_number(value):
    """First 3 and last 4 characters: 110***********002X."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_mobile(value):
    if not value or len(value) < 7:
        return value or ""
    return f"{value[:3]}****{value[-4:]}"


# --- Unified social credit codes -------------------------------------------------------------


def normalize_uscc(value):
    """The code as stored and compared: half-width, no spaces or dashes, upper case."""
    return uscc.compact(unicodedata.normalize("NFKC", str(value or "")))


def uscc_check_char(first17):
    """The check character that completes 17 characters (for tests and demo data)."""
    return uscc.calc_check_digit(first17)


def validate_uscc(value):
    """A unified social credit code (GB 32100-2015): 18 characters from the code's alphabet,
    with a valid registration department and the mod-31 check character."""
    code = normalize_uscc(value)
    try:
        uscc.validate(code)
    except stdnum_errors.InvalidLength as error:
        raise ValidationError(
            _("A unified social credit code has 18 characters; please check it."),
            code="invalid_credit_code_length",
        ) from error
    except stdnum_errors.InvalidFormat as error:
        raise ValidationError(
            _(
                "This unified social credit code has characters where they cannot be (the "
                "first 8 are digits; I, O, S, V and Z are never used); please check it."
            ),
            code="invalid_credit_code_format",
        ) from error
    except stdnum_errors.ValidationError as error:
        raise ValidationError(
            _(
                "The last character of this unified social credit code does not match; "
                "please check the 18 characters."
            ),
            code="invalid_credit_code",
        ) from error
