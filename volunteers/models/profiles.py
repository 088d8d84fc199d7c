"""Volunteers: the managed skills, the profile (one per user) and the log of identity changes."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_SORT_ORDER, max_value
from portal.encryption import EncryptedCharField, digest
from portal.validators import (
    RESIDENT_ID,
    mask_id_number,
    mask_mobile,
    normalize_id_number,
    validate_id_document,
    validate_mobile,
)

from ..availability import EMPTY_MASK, availability_mask
from .page_versions import PageVersionQuerySet

# Slots of the weekly availability grid; availability is stored as
# {"0": [["07:00", "12:00"], ...], ...} with Monday = "0", so matching can read real times.
AVAILABILITY_SLOTS = [
    ("morning", _("Morning"), "07:00", "12:00"),
    ("afternoon", _("Afternoon"), "12:00", "19:00"),
    ("evening", _("Evening"), "19:00", "23:00"),
]
WEEKDAYS = [
    (0, pgettext_lazy("weekday", "Mon")),
    (1, pgettext_lazy("weekday", "Tue")),
    (2, pgettext_lazy("weekday", "Wed")),
    (3, pgettext_lazy("weekday", "Thu")),
    (4, pgettext_lazy("weekday", "Fri")),
    (5, pgettext_lazy("weekday", "Sat")),
    (6, pgettext_lazy("weekday", "Sun")),
]


def new_token():
    return secrets.token_urlsafe(24)


class Skill(models.Model):
    """A skill from the managed list (driving, medical, disinfection, ...) that volunteers tick
    and tasks require."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(
        _("order"), default=0, validators=[max_value(MAX_SORT_ORDER)]
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name


def id_number_digest(value):
    """The keyed hash that stands for an ID number in VolunteerProfile.id_number_hash."""
    return digest(normalize_id_number(value))


class VolunteerProfileQuerySet(PageVersionQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        # bulk_create skips save(): keep the availability mask and the ID hash in step here too
        objs = list(objs)
        for profile in objs:
            profile.availability_mask = availability_mask(profile.availability)
            profile.id_number_hash = id_number_digest(profile.id_number)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        if "id_number" in fields:
            for profile in objs:
                profile.id_number_hash = id_number_digest(profile.id_number)
            fields = [*fields, "id_number_hash"]
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        # `update(id_number="")` (account deletion, retention) must also drop the hash, and a
        # new number must bring its own: the hash never outlives or contradicts the number.
        if "id_number" in kwargs:
            kwargs["id_number_hash"] = id_number_digest(kwargs["id_number"])
        return super().update(**kwargs)

    def by_id_number(self, value):
        """Profiles with this ID number, found through its keyed hash (never decrypted)."""
        found = id_number_digest(value)
        return self.filter(id_number_hash=found) if found else self.none()


class VolunteerProfile(models.Model):
    """A volunteer: one per user, belonging to a home community whose coordinators verify them.

    When the account is deleted the profile stays, anonymised and detached from the user, so the
    community's hours totals still add up.
    """

    community_lookup = "community"
    owner_lookup = "user"

    class IdType(models.TextChoices):
        RESIDENT_ID = RESIDENT_ID, _("Resident ID card")
        HK_MACAO_PERMIT = (
            "hk_macao_permit",
            _("Mainland Travel Permit for Hong Kong and Macao Residents"),
        )
        TAIWAN_PERMIT = "taiwan_permit", _("Mainland Travel Permit for Taiwan Residents")
        PASSPORT = "passport", _("Passport")
        FOREIGN_PERMANENT_ID = "foreign_permanent_id", _("Foreign Permanent Resident ID Card")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", pgettext_lazy("volunteer status", "Verified")
        REJECTED = "rejected", pgettext_lazy("volunteer status", "Rejected")
        DELETED = "deleted", _("Account deleted")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteer_profile",
        verbose_name=_("user"),
    )
    real_name = models.CharField(_("real name"), max_length=50)
    mobile = models.CharField(
        _("mobile number"), max_length=11, blank=True, validators=[validate_mobile]
    )
    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="volunteers",
        verbose_name=_("home community"),
    )
    compound = models.ForeignKey(
        "portal.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("compound"),
    )
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="volunteers", verbose_name=_("skills")
    )
    # {"0": [["07:00", "12:00"]], ...}: weekday (Monday = "0") -> free time ranges.
    availability = models.JSONField(_("weekly availability"), default=dict, blank=True)
    # The same grid as 168 "0"/"1" characters (weekday * 24 + hour), kept by save() and
    # bulk_create, so ranking scores availability in SQL (volunteers.availability).
    availability_mask = models.CharField(max_length=168, default=EMPTY_MASK, editable=False)
    is_party_member = models.BooleanField(_("in-service party member"), default=False)
    work_unit = models.CharField(_("work unit"), max_length=100, blank=True)
    # Encrypted at rest (portal.encryption, keys from the environment); shown masked everywhere
    # except the full-ID view, which needs `view_full_id_number` and is audited. Changing it
    # sends a verified volunteer back to pending (services.profiles.update_profile).
    # The document the number is of (证件类型): its format is checked by type in clean()
    # (portal.validators.validate_id_document; the resident ID card keeps its checksum).
    id_type = models.CharField(
        _("ID document type"), max_length=24, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = EncryptedCharField(_("ID document number"), max_length=18, blank=True)
    # HMAC of the normalised number (FIELD_HASH_KEY), kept by save(), update() and the bulk
    # methods: unique, so one ID number belongs to one volunteer, and the way to look one up.
    # NULL when there is no number.
    id_number_hash = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )
    emergency_contact_name = models.CharField(_("emergency contact"), max_length=50, blank=True)
    emergency_contact_phone = models.CharField(
        _("emergency contact's phone"), max_length=11, blank=True, validators=[validate_mobile]
    )
    consent = models.BooleanField(_("consent to data processing"), default=False)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    # pending -> verified | rejected (by a coordinator); moving community or changing real
    # name, mobile or ID number -> pending again; deleting the account -> deleted (anonymised).
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    rejection_reason = models.CharField(
        pgettext_lazy("volunteer verification", "reason for rejection"), max_length=200, blank=True
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("volunteer verification", "verified by"),
    )
    verified_at = models.DateTimeField(
        pgettext_lazy("volunteer verification", "verified at"), null=True, blank=True
    )
    # No messages from coordinators and team leaders except urgent ones (services.messages);
    # set from the link in each message or the own page.
    messages_opt_out = models.BooleanField(
        _("only urgent messages"),
        default=False,
        help_text=_("Receive only urgent messages from your community and teams."),
    )
    # Private token of the volunteer's .ics calendar feed; regenerate to revoke.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("pk",)
    objects = VolunteerProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "status"])]
        permissions = [
            ("view_full_id_number", _("Can see volunteers' full ID card numbers")),
        ]

    def __str__(self):
        return self.real_name

    def save(self, *args, **kwargs):
        self.availability_mask = availability_mask(self.availability)
        self.id_number_hash = id_number_digest(self.id_number)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            derived = {"availability": "availability_mask", "id_number": "id_number_hash"}
            kwargs["update_fields"] = {
                *update_fields,
                *(derived[f] for f in update_fields if f in derived),
            }
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.id_number:
            try:
                validate_id_document(self.id_type, self.id_number)
            except ValidationError as error:
                raise ValidationError({"id_number": error.messages}) from error

    @property
    def is_verified(self):
        return self.status == self.Status.VERIFIED

    @property
    def masked_id_number(self):
        return mask_id_number(self.id_number)

    @property
    def masked_mobile(self):
        return mask_mobile(self.mobile)

    @property
    def identity(self):
        """What a coordinator checks when verifying: real name, mobile and ID number."""
        return {field: getattr(self, field) for field in IDENTITY_FIELDS}


# The details a coordinator checks when verifying a volunteer; changing any of them sends a
# verified volunteer back to pending, and each change is kept in IdentityChange.
IDENTITY_FIELDS = ["real_name", "mobile", "id_number"]


class IdentityChange(models.Model):
    """One change of a volunteer's real name, mobile or ID number: the value before and after,
    who changed it (the volunteer, a coordinator, an import) and when, and whether it sent a
    verified volunteer back to pending. ID numbers are kept masked here, never whole."""

    community_lookup = "profile__community"
    owner_lookup = "profile__user"

    class Field(models.TextChoices):
        REAL_NAME = "real_name", _("real name")
        MOBILE = "mobile", _("mobile number")
        ID_NUMBER = "id_number", _("ID card number")

    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.CASCADE,
        related_name="identity_changes",
        verbose_name=_("volunteer"),
    )
    field = models.CharField(_("detail"), max_length=10, choices=Field.choices)
    old_value = models.CharField(_("before"), max_length=50, blank=True)
    new_value = models.CharField(_("after"), max_length=50, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    # The profile was verified before this change and went back to pending because of it.
    unverified = models.BooleanField(_("sent back for verification"), default=False)

    class Meta:
        verbose_name = _("identity change")
        verbose_name_plural = _("identity changes")
        ordering = ["-changed_at", "-pk"]

    def __str__(self):
        return f"{self.profile} · {self.get_field_display()}"
