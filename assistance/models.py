"""居民求助: a household's request for help (supplies from the catalogue and/or free text),
fulfilled from donated stock (donations Distributions that point at the request) and/or by a
volunteer on a delivery shift. Status: new -> assigned -> delivered -> closed, each with its time.

The request is the only place a household's address (compound and building), contact name,
phone and need live; nothing copies them. The community's staff and the assigned volunteer see
them (assistance.services.can_see_address); the retention job (portal.retention) blanks them,
and the notes of the distributions made for the request, ASSISTANCE_RETENTION_DAYS after
closing."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_QUANTITY, max_value
from portal.fragments import VersionedQuerySet
from portal.validators import validate_phone


class HelpRequest(models.Model):
    community_lookup = "community"
    owner_lookup = "requester"

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("help request status", "New")
        ASSIGNED = "assigned", _("Assigned")
        DELIVERED = "delivered", _("Delivered")
        CLOSED = "closed", _("Closed")

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("community"),
    )
    compound = models.ForeignKey(
        "portal.Compound",
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("compound"),
    )
    building = models.CharField(_("building, unit and room"), max_length=100)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, validators=[validate_phone])
    need = models.TextField(
        _("what is needed (free text)"),
        blank=True,
        help_text=_("e.g. a ride to hospital, medicine, vegetables"),
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL, db_index=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name=_("resident who asked"),
        help_text=_("Set when the household asked on the website."),
    )
    submission_token = models.UUIDField(
        _("submission token"), null=True, blank=True, unique=True, editable=False
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True, db_index=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    assigned_volunteer = models.ForeignKey(
        "volunteers.VolunteerProfile",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name=_("assigned volunteer"),
    )
    delivery_shift = models.ForeignKey(
        "volunteers.Shift",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="help_requests",
        verbose_name=_("delivery shift"),
    )

    # what the coordinators' dashboard counts (portal.fragments: any write drops its copies)
    fragment_versions = ("assistance:requests",)
    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["community", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="assigned")
                | Q(assigned_at__isnull=False, assigned_volunteer__isnull=False),
                name="helprequest_assigned_has_volunteer",
            ),
        ]

    def __str__(self):
        # No compound or building: this label reaches lists, choosers and logs.
        return f"#{self.pk} {self.community} · {self.get_status_display()}"


class HelpRequestLine(models.Model):
    """A catalogue item and how many."""

    community_lookup = "request__community"

    request = models.ForeignKey(
        HelpRequest, on_delete=models.PROTECT, related_name="lines", verbose_name=_("help request")
    )
    item = models.ForeignKey(
        "donations.Item",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=pgettext_lazy("supply", "item"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])

    class Meta:
        verbose_name = pgettext_lazy("help request", "requested item")
        verbose_name_plural = pgettext_lazy("help request", "requested items")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="helprequestline_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.item} × {self.quantity}"


class OnCallNight(models.Model):
    """A night a volunteer is on call (备勤) for urgent help requests, marked by the volunteer
    on their own page: from assistance.on_call.NIGHT_STARTS on `night` until NIGHT_ENDS the
    next morning (Beijing time). An urgent request recorded in that time offers its delivery
    to the night's on-call volunteers nearest the household first."""

    community_lookup = "profile__community"
    owner_lookup = "profile__user"

    profile = models.ForeignKey(
        "volunteers.VolunteerProfile",
        on_delete=models.CASCADE,
        related_name="on_call_nights",
        verbose_name=_("volunteer"),
    )
    night = models.DateField(_("night of"), db_index=True)
    created_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("on-call night")
        verbose_name_plural = _("on-call nights")
        ordering = ["night"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "night"], name="oncall_one_per_night")
        ]

    def __str__(self):
        return f"{self.profile_id} · {self.night:%Y-%m-%d}"
