"""Volunteering: who volunteers, what needs doing, when, who took it, and the hours served.

VolunteerProfile (one per user, belongs to a home community) -> Signup (a place on a Shift)
-> Attendance (check-in/out, from which hours are derived) -> Certificate (a snapshot of hours).
A Task says what is done where (community, optionally a compound or post); a ShiftTemplate
generates the Task's recurring Shifts. Every model names its path to portal.Community in
`community_lookup`, so portal.scoping.scope() shows coordinators only their communities.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.bounds import (
    MAX_ATTENDANCE_MINUTES,
    MAX_PLACES,
    MAX_SORT_ORDER,
    MAX_TOTAL_MINUTES,
    max_value,
)
from portal.encryption import EncryptedCharField, digest
from portal.validators import (
    mask_id_number,
    mask_mobile,
    normalize_id_number,
    validate_id_number,
    validate_mobile,
)

from .availability import EMPTY_MASK, availability_mask

# Slots of the weekly availability grid; availability is stored as
# {"0": [["07:00", "12:00"], ...], ...} with Monday = "0", so matching can read real times.
AVAILABILITY_SLOTS = [
    ("morning", _("Morning"), "07:00", "12:00"),
    ("afternoon", _("Afternoon"), "12:00", "19:00"),
    ("evening", _("Evening"), "19:00", "23:00"),
]
WEEKDAYS = [
    (0, _("Mon")),
    (1, _("Tue")),
    (2, _("Wed")),
    (3, _("Thu")),
    (4, _("Fri")),
    (5, _("Sat")),
    (6, _("Sun")),
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


class VolunteerProfileQuerySet(models.QuerySet):
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

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")
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
    id_number = EncryptedCharField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number]
    )
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
    rejection_reason = models.CharField(_("reason for rejection"), max_length=200, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    # Private token of the volunteer's .ics calendar feed; regenerate to revoke.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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


class Task(models.Model):
    """Something a community needs done, at a compound or post; its Shifts say when."""

    community_lookup = "community"

    class Kind(models.TextChoices):
        GATE_DUTY = "gate_duty", _("Gate duty")
        TEMPERATURE = "temperature", _("Temperature check")
        DISINFECTION = "disinfection", _("Disinfection")
        DELIVERY = "delivery", _("Delivery")
        PHONE = "phone", _("Phone outreach")
        DATA_ENTRY = "data_entry", _("Data entry")
        PUBLICITY = "publicity", _("Publicity")
        OTHER = "other", _("Other")

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        "portal.Compound",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("compound"),
    )
    post = models.ForeignKey(
        "portal.Post",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("post"),
    )
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.GATE_DUTY)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="tasks", verbose_name=_("skills needed")
    )
    instructions = models.TextField(_("instructions"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Matching (volunteers.matching): courses a volunteer must have completed to take a shift,
    # and whether volunteers of other communities of the subdistrict may take it.
    required_courses = models.ManyToManyField(
        "content.CoursePage",
        blank=True,
        related_name="tasks",
        verbose_name=_("required courses"),
    )
    preferred_skills = models.ManyToManyField(
        Skill,
        blank=True,
        related_name="preferred_by_tasks",
        verbose_name=_("skills that help (optional)"),
    )
    own_community_only = models.BooleanField(
        _("own community's volunteers only"),
        default=False,
    )
    # Invite-only tasks (a help request's delivery) never appear in public shift lists and
    # nobody signs up for them by themselves: a coordinator invites the volunteer.
    invite_only = models.BooleanField(
        _("by invitation only"),
        default=False,
        help_text=_("Hidden from the public shift list; volunteers join only when invited."),
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["community__name", "title"]

    def __str__(self):
        return self.title

    @property
    def place_name(self):
        if self.post_id:
            return self.post.name
        if self.compound_id:
            return self.compound.name
        return ""


class ShiftTemplate(models.Model):
    """Recurring duty: on these weekdays, in these time ranges, this many people. It generates
    Shifts for its date range; editing it changes only future shifts nobody has taken yet."""

    community_lookup = "task__community"

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="templates", verbose_name=_("task")
    )
    # Monday = 0 ... Sunday = 6.
    weekdays = models.JSONField(_("weekdays"), default=list)
    # [["07:00", "12:00"], ["12:00", "19:00"]]; an end before its start ends the next day.
    time_ranges = models.JSONField(_("time ranges"), default=list)
    places = models.PositiveSmallIntegerField(
        _("people per shift"), default=2, validators=[max_value(MAX_PLACES)]
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="template_dates_in_order"
            ),
        ]

    def __str__(self):
        ranges = ", ".join(f"{a}-{b}" for a, b in self.time_ranges)
        return f"{self.task} · {ranges}"


class ShiftQuerySet(models.QuerySet):
    def open(self):
        """Not cancelled, not started, with a free place."""
        return self.filter(
            cancelled_at__isnull=True, start__gt=timezone.now(), taken__lt=models.F("places")
        )

    def public(self):
        """Shifts anyone may see and sign up for: not on an invite-only task."""
        return self.filter(task__invite_only=False)

    def visible_to(self, user):
        """Public shifts, plus invite-only ones `user` is invited to or on, plus every shift
        of the communities `user` serves as staff."""
        from portal.scoping import scope

        if not user.is_authenticated:
            return self.public()
        return self.filter(
            Q(task__invite_only=False)
            | Q(pk__in=Signup.objects.live().filter(profile__user=user).values("shift_id"))
            | Q(pk__in=scope(Shift.objects.all(), user).values("pk"))
        )


class Shift(models.Model):
    """A stretch of time on a Task needing `places` people.

    `taken` counts the active sign-ups (confirmed or no-show). It changes only through the
    conditional updates in volunteers.services (never read-add-save), and the database refuses
    a value outside 0..places.
    """

    community_lookup = "task__community"

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("task")
    )
    template = models.ForeignKey(
        ShiftTemplate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="shifts",
        verbose_name=_("template"),
    )
    start = models.DateTimeField(_("start"), db_index=True)
    end = models.DateTimeField(_("end"))
    places = models.PositiveSmallIntegerField(
        _("people needed"), default=1, validators=[max_value(MAX_PLACES)]
    )
    taken = models.PositiveSmallIntegerField(
        _("places taken"), default=0, editable=False, validators=[max_value(MAX_PLACES)]
    )
    # Set when a coordinator cancels the shift; its people are notified and released.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=models.F("places")), name="shift_taken_within_places"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="shift_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["task", "start"])]

    def __str__(self):
        local = timezone.localtime(self.start)
        return f"{self.task} {local:%m-%d %H:%M}-{timezone.localtime(self.end):%H:%M}"

    @property
    def places_left(self):
        return max(self.places - self.taken, 0)

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None

    @property
    def hours(self):
        return round((self.end - self.start).total_seconds() / 3600, 1)


class SignupStatus(models.TextChoices):
    """Signup.Status: see the life cycle on Signup.status."""

    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")


# The groups of sign-up statuses, said once here; use them as Signup.LIVE ... and
# Signup.objects.live() ... (module level only because Signup.Meta's constraint needs one).
# Live: on the shift or invited to it; a person has at most one live sign-up per shift.
LIVE = (SignupStatus.INVITED, SignupStatus.CONFIRMED, SignupStatus.NO_SHOW)
# Holding a place (counted in Shift.taken): confirmed, or confirmed and then absent.
HOLDING = (SignupStatus.CONFIRMED, SignupStatus.NO_SHOW)
# Expected to come (asked or agreed) and not yet marked absent: what cancelling a shift,
# removing a person or deleting an account ends, and what "upcoming" lists show.
EXPECTED = (SignupStatus.INVITED, SignupStatus.CONFIRMED)
# Ended: said no, gave the place back or was taken off; never proposed for that shift again.
ENDED = (SignupStatus.DECLINED, SignupStatus.WITHDRAWN, SignupStatus.CANCELLED)


class SignupQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE)

    def holding(self):
        return self.filter(status__in=HOLDING)

    def expected(self):
        return self.filter(status__in=EXPECTED)

    def ended(self):
        return self.filter(status__in=ENDED)


class Signup(models.Model):
    """A volunteer's place on a shift (or an invitation to take one)."""

    community_lookup = "shift__task__community"
    owner_lookup = "profile__user"

    Status = SignupStatus
    LIVE = LIVE
    HOLDING = HOLDING
    EXPECTED = EXPECTED
    ENDED = ENDED

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="signups", verbose_name=_("shift")
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="signups",
        verbose_name=_("volunteer"),
    )
    # invited -> confirmed | declined; confirmed -> withdrawn (by the volunteer) | cancelled
    # (shift cancelled or person removed by a coordinator) | no_show. Confirmed and no_show hold
    # a place (Shift.taken); an invitation does not until accepted.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED, db_index=True
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("withdrawn or cancelled at"), null=True, blank=True)
    # Set (once, by a conditional update) when the reminder before the shift went out.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift__start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "profile"],
                # a list, as the initial migration wrote it, so no migration is needed
                condition=Q(status__in=list(LIVE)),
                name="one_live_signup_per_shift",
            ),
        ]

    def __str__(self):
        return f"{self.profile} · {self.shift}"

    @property
    def holds_place(self):
        return self.status in HOLDING

    @property
    def is_expected(self):
        return self.status in EXPECTED


class Attendance(models.Model):
    """When a volunteer on a shift arrived and left; hours come from these times only."""

    community_lookup = "signup__shift__task__community"
    owner_lookup = "signup__profile__user"

    class Source(models.TextChoices):
        QR = "qr", _("QR code at the post")
        COORDINATOR = "coordinator", _("Confirmed by the coordinator")

    signup = models.OneToOneField(
        Signup, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("sign-up")
    )
    check_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    check_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.QR)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Derived from check_in_at/check_out_at on every save; never typed.
    minutes = models.PositiveIntegerField(
        _("minutes served"),
        default=0,
        editable=False,
        validators=[max_value(MAX_ATTENDANCE_MINUTES)],
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["-check_in_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out_at__isnull=True)
                | Q(check_in_at__isnull=False, check_out_at__gte=models.F("check_in_at")),
                name="attendance_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.signup}"

    def save(self, *args, **kwargs):
        self.minutes = self.compute_minutes()
        if "update_fields" in kwargs and kwargs["update_fields"] is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "minutes"}
        super().save(*args, **kwargs)

    def compute_minutes(self):
        if self.check_in_at and self.check_out_at:
            return int((self.check_out_at - self.check_in_at) / timedelta(minutes=1))
        return 0

    @property
    def hours(self):
        return round(self.minutes / 60, 1)


class AttendanceCorrection(models.Model):
    """An audited change of attendance times: who changed what, when and why."""

    community_lookup = "attendance__signup__shift__task__community"

    attendance = models.ForeignKey(
        Attendance,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name=_("attendance"),
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    reason = models.CharField(_("reason"), max_length=200)
    old_check_in_at = models.DateTimeField(_("old check-in"), null=True, blank=True)
    old_check_out_at = models.DateTimeField(_("old check-out"), null=True, blank=True)
    new_check_in_at = models.DateTimeField(_("new check-in"), null=True, blank=True)
    new_check_out_at = models.DateTimeField(_("new check-out"), null=True, blank=True)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["-changed_at"]

    def __str__(self):
        return f"{self.attendance} · {self.reason}"


class Certificate(models.Model):
    """A service-hours certificate as issued: its hours are a snapshot, so a later correction
    never changes a certificate already handed out (a new one is issued instead)."""

    community_lookup = "community"
    owner_lookup = "profile__user"

    serial = models.CharField(_("serial number"), max_length=32, unique=True)
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("volunteer"),
    )
    community = models.ForeignKey(
        "portal.Community", on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    name = models.CharField(_("name on the certificate"), max_length=50)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    minutes = models.PositiveIntegerField(
        _("minutes served"), validators=[max_value(MAX_TOTAL_MINUTES)]
    )
    # {"gate_duty": 300, ...}: minutes by task kind at the time of issue.
    minutes_by_kind = models.JSONField(default=dict)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_at"]

    def __str__(self):
        return self.serial

    @property
    def hours(self):
        return round(self.minutes / 60, 1)

    def hours_by_kind(self):
        labels = dict(Task.Kind.choices)
        return [
            (labels.get(kind, kind), round(m / 60, 1))
            for kind, m in sorted(self.minutes_by_kind.items())
            if m
        ]
