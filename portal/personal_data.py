"""A person's own data: what the portal holds about them, and erasing it with their account.

Each app that keeps personal data has a module `<app>/personal_data.py` with

- `sections(user)`: the `Section`s it holds about `user` (for the download), and
- optionally `erase(user)`: strip or detach what it holds, inside the deletion's transaction,
  before the user row goes (records others depend on, such as hours served and the stock
  ledger, stay but no longer say who).

`collect(user)` and `delete_account(user)` run every app's functions; the download renders the
sections as a workbook (one sheet each) and as JSON. docs/privacy.md lists what each holds.
"""

import importlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from io import BytesIO

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from portal import audit, roles


class AccountError(Exception):
    """A translated reason why the account cannot be deleted now."""


@dataclass
class Section:
    key: str  # a stable name for the JSON
    title: str  # translated, for the sheet
    columns: list[str]
    rows: list[list] = field(default_factory=list)

    def records(self):
        """Each row as (column, value) pairs: what the page shows, one card a row."""
        return [list(zip(self.columns, row, strict=True)) for row in self.rows]


_modules = None


def _app_modules():
    global _modules
    if _modules is None:
        _modules = []
        for config in apps.get_app_configs():
            name = f"{config.name}.personal_data"
            try:
                _modules.append(importlib.import_module(name))
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
    return _modules


def collect(user):
    """Every section the portal holds about `user`, the account first."""
    found = []
    for module in _app_modules():
        found.extend(section for section in module.sections(user) if section.rows)
    return found


def sections(user):
    """The account itself (this module is portal's contribution)."""
    account = Section(
        "account",
        _("Account"),
        [
            _("User name"),
            _("Name"),
            _("Mobile number"),
            _("Email"),
            _("Language for messages"),
            _("Joined"),
            _("Last log-in"),
        ],
    )
    account.rows.append(
        [
            user.username,
            f"{user.last_name}{user.first_name}",
            user.phone or "",
            user.email,
            user.get_language_display(),
            user.date_joined,
            user.last_login,
        ]
    )
    from allauth.account.models import EmailAddress

    emails = Section("email_addresses", _("Email addresses"), [_("Email"), _("Verified")])
    for address in EmailAddress.objects.filter(user=user).order_by("email"):
        emails.rows.append([address.email, _yes_no(address.verified)])
    staff = Section("roles", _("Roles and communities"), [_("Role"), _("Community")])
    for group in user.groups.order_by("name"):
        staff.rows.append([group.name, ""])
    for membership in user.memberships.select_related("community"):
        staff.rows.append([_("Community staff"), membership.community.name])
    return [account, emails, staff]


def _yes_no(value):
    return _("Yes") if value else _("No")


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(user, found=None):
    found = collect(user) if found is None else found
    data = {
        "exported_at": timezone.localtime().isoformat(),
        "sections": {
            section.key: [
                {column: _plain(value) for column, value in zip(section.columns, row, strict=True)}
                for row in section.rows
            ]
            for section in found
        },
    }
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode()


def as_workbook(user, found=None):
    found = collect(user) if found is None else found
    book = Workbook()
    book.remove(book.active)
    for section in found:
        sheet = book.create_sheet(title=section.title[:31])
        sheet.append(list(section.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_excel(value) for value in row])
        for index, column in enumerate(section.columns, start=1):
            width = max(
                [len(str(column))] + [len(str(row[index - 1] or "")) for row in section.rows]
            )
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(60, width + 4)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _excel(value):
    # Excel has no time zones: Beijing time, as the person saw it on the site.
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    # Text the person typed is shown as text, never run as a formula.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def can_delete_themselves(user):
    """Staff keep their account until an administrator ends it: the audit trail and the
    records they signed for must keep saying who acted."""
    return not (user.is_superuser or roles.has_role(user, *roles.STAFF_ROLES))


def delete_account(user):
    """Erase `user` everywhere and delete the account. Returns nothing; raises AccountError."""
    if not can_delete_themselves(user):
        raise AccountError(
            _(
                "Staff accounts are closed by the subdistrict's administrator, "
                "so that the records you signed for keep their signature."
            )
        )
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
        for module in _app_modules():
            erase = getattr(module, "erase", None)
            if erase is not None:
                erase(user)
        audit.forget_labels(user, f"#{user.pk}")
        user.delete()
