"""What needs doing and when: a Task, the ShiftTemplate that generates its recurring Shifts,
and the Shifts."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_PLACES, max_value

from .profiles import Skill


class Task(models.Model):
    """Something a community needs done, at a compound or post; its Shifts say when."""

    community_lookup = "community"
    team_lookup = "project__team"

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
    title = models.CharField(pgettext_lazy("task", "title"), max_length=100)
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
    # Closed by default: a community's people staff its tasks; the coordinator opens a task to
    # the whole subdistrict by unticking it (volunteers.matching.check_eligibility enforces it
    # for sign-up, invitations and auto-assign alike).
    own_community_only = models.BooleanField(
        _("own community's volunteers only"),
        default=True,
        help_text=_(
            "Untick to let volunteers of other communities take its shifts too; they are "
            "suggested after this community's own."
        ),
    )
    # Invite-only tasks (a help request's delivery) never appear in public shift lists and
    # nobody signs up for them by themselves: a coordinator invites the volunteer.
    invite_only = models.BooleanField(
        _("by invitation only"),
        default=False,
        help_text=_("Hidden from the public shift list; volunteers join only when invited."),
    )
    # A volunteer may hand their place to another eligible volunteer (services.swaps); with
    # this ticked the handover waits for a coordinator's approval.
    swaps_need_approval = models.BooleanField(
        _("handovers need approval"),
        default=False,
        help_text=_("A volunteer handing their place to another waits for a coordinator's yes."),
    )
    # A project's task: only the project's members may take its shifts
    # (volunteers.matching.check_eligibility), and its team's leaders run it.
    project = models.ForeignKey(
        "volunteers.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("project"),
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
    """Recurring duty: on these weekdays, in these time ranges, this many people. Its Shifts
    exist a rolling VOLUNTEERS_SHIFT_DAYS_AHEAD days ahead (`manage.py generate_shifts`, daily),
    until `end_date` if it has one. Editing it updates future shifts in place (their links keep
    working); a shift with people on it keeps its times (volunteers.services.update_template)."""

    community_lookup = "task__community"
    team_lookup = "task__project__team"

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
    start_date = models.DateField(pgettext_lazy("period start", "from"))
    end_date = models.DateField(
        pgettext_lazy("period end", "until"),
        null=True,
        blank=True,
        help_text=_("Leave empty to keep making shifts with no end date."),
    )

    class Meta:
        verbose_name = _("shift template")
        verbose_name_plural = _("shift templates")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="template_dates_in_order",
            ),
        ]

    def __str__(self):
        ranges = ", ".join(f"{a}-{b}" for a, b in self.time_ranges)
        return f"{self.task} · {ranges}"


class ShiftQuerySet(models.QuerySet):
    def upcoming(self):
        """Not cancelled, not started, full or not (the shift list: a full one takes a
        waiting list)."""
        return self.filter(cancelled_at__isnull=True, start__gt=timezone.now())

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

        from .signups import Signup

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
    team_lookup = "task__project__team"

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
            # One shift per slot of a template: generating twice, or two generators at once,
            # cannot make a second one (the generator inserts with ignore_conflicts).
            models.UniqueConstraint(
                fields=["template", "start"],
                condition=Q(template__isnull=False),
                name="shift_one_per_template_slot",
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
