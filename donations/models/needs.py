"""Needs (物资需求公示, issue 15.3): what a community or the subdistrict asks donors for, shown on
the public needs page once the subdistrict approves it. Pledge lines point at the need they
answer (`PledgeLine.need`); what was pledged and received against a need is summed from them
(services.needs.progress), never stored twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.bounds import MAX_QUANTITY, max_value
from portal.fragments import VersionedQuerySet

from .catalogue import Item


class Need(models.Model):
    """One item a community (or, with no community, the subdistrict) needs, how many, how
    urgently and by when. Changes only through services.needs."""

    community_lookup = "community"
    warehouse_visible = True

    class Urgency(models.IntegerChoices):
        # Lower sorts first on the public page.
        CRITICAL = 1, pgettext_lazy("urgency", "Critical")
        URGENT = 2, pgettext_lazy("urgency", "Urgent")
        NORMAL = 3, pgettext_lazy("urgency", "Normal")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("need", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("need", "Waiting for approval")
        APPROVED = "approved", pgettext_lazy("need", "Published")
        REJECTED = "rejected", pgettext_lazy("need", "Rejected")
        # Received in full (services.needs.mark_met, called by services.receive).
        MET = "met", pgettext_lazy("need", "Met")
        # Withdrawn by staff before it was met (no longer needed), with the reason.
        CLOSED = "closed", pgettext_lazy("need", "Closed")

    community = models.ForeignKey(
        "portal.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("community"),
        help_text=_("Leave empty for a need of the subdistrict itself."),
    )
    item = models.ForeignKey(
        Item,
        on_delete=models.PROTECT,
        related_name="needs",
        verbose_name=pgettext_lazy("supply", "item"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[max_value(MAX_QUANTITY)])
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL, validators=[max_value(3)]
    )
    needed_by = models.DateField(_("needed by"))
    # Shown on the public page: what it is for, never who (no household, no person).
    purpose = models.CharField(
        _("what it is for"),
        max_length=200,
        blank=True,
        help_text=_("Shown to the public. Do not name households or people."),
    )
    # draft -> submitted -> approved (public) -> met | closed; submitted -> rejected (with the
    # reason); a rejected need edited goes back to draft.
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Who approved or rejected it, when, and why (a rejection needs a reason).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decision_reason = models.CharField(_("reason for rejecting"), max_length=200, blank=True)
    # When it was met or closed; who closed it and why (empty when met).
    ended_at = models.DateTimeField(_("met or closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    close_reason = models.CharField(_("reason for closing"), max_length=200, blank=True)

    # the dashboard's picture of needs met over time (portal.fragments)
    fragment_versions = ("donations:needs",)
    objects = VersionedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["urgency", "needed_by", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="need_positive"),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="need_rejection_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["status", "urgency", "needed_by"], name="need_public")]

    def __str__(self):
        return _("%(who)s needs %(item)s × %(n)s") % {
            "who": self.requester,
            "item": self.item,
            "n": self.quantity,
        }

    @property
    def requester(self):
        return self.community.name if self.community_id else _("The subdistrict")

    @property
    def open(self):
        """Offered for pledging: approved, and neither met nor closed."""
        return self.status == self.Status.APPROVED
