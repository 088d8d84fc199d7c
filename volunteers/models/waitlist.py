"""Waiting for a full shift, and handing a place to someone else.

WaitlistEntry: a volunteer queues for a full Shift; when a place frees, the first one still
eligible is offered it and the place is *held* for them (counted in Shift.taken) until they
accept, decline or the offer expires (volunteers.services.waitlist).

SwapOffer: a volunteer on a shift offers their place (their Signup) to another named volunteer;
when the receiver accepts (and a coordinator approves, if the task says so) the giver's sign-up
ends and the receiver gets their own, the place moving without ever being free
(volunteers.services.swaps). Attendance and hours belong to the sign-up of who served.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .page_versions import PageVersionQuerySet
from .profiles import VolunteerProfile
from .shifts import Shift
from .signups import Signup


class WaitlistEntry(models.Model):
    """A volunteer's place in the queue of a full shift (first come, first offered)."""

    community_lookup = "shift__task__community"
    owner_lookup = "profile__user"

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        OFFERED = "offered", _("Place offered")
        ACCEPTED = "accepted", _("Place taken")
        DECLINED = "declined", _("Offer declined")
        EXPIRED = "expired", _("Offer expired")
        LEFT = "left", _("Left the waiting list")
        CLOSED = "closed", _("Waiting list closed")
        REMOVED = "removed", _("Removed by the community")

    # Live: still in the queue; a person has at most one live entry per shift.
    LIVE = (Status.WAITING, Status.OFFERED)

    shift = models.ForeignKey(
        Shift, on_delete=models.PROTECT, related_name="waitlist", verbose_name=_("shift")
    )
    profile = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
        verbose_name=_("volunteer"),
    )
    # waiting -> offered (a freed place is held for them) -> accepted | declined | expired;
    # waiting | offered -> left (the volunteer) | closed (shift cancelled or started) |
    # removed (a coordinator, with end_reason; audited). Every
    # change is a conditional UPDATE on the current status, so an accept and an expiry racing
    # for the same offer cannot both win. Only `offered` holds a place (in Shift.taken).
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING, db_index=True
    )
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    offered_at = models.DateTimeField(_("offered at"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Why a coordinator took the entry off the list (status removed); empty otherwise.
    end_reason = models.CharField(_("reason for removal"), max_length=200, blank=True)
    # The sign-up an accepted offer became: one entry, one sign-up, never two.
    signup = models.OneToOneField(
        Signup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_entry",
        verbose_name=_("sign-up"),
    )

    # whose own page shows these rows, and everyone queueing for the same shift (their
    # positions) (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("profile_id", "shift__waitlist__profile_id")
    objects = PageVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["shift", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "profile"],
                condition=Q(status__in=("waiting", "offered")),
                name="one_live_waitlist_entry_per_shift",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="waitlist_offer_has_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(signup__isnull=False),
                name="waitlist_accepted_has_signup",
            ),
        ]
        indexes = [models.Index(fields=["status", "offer_expires_at"])]

    def __str__(self):
        return f"{self.profile} · {self.shift}"

    @property
    def is_live(self):
        return self.status in self.LIVE


class SwapOffer(models.Model):
    """A volunteer hands their place on a shift to another volunteer, who accepts."""

    community_lookup = "signup__shift__task__community"

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Awaiting approval")
        DONE = "done", _("Handed over")
        DECLINED = "declined", _("Declined")
        REFUSED = "refused", _("Not approved")
        CANCELLED = "cancelled", _("Withdrawn")

    # Open: not yet settled; a sign-up has at most one open offer.
    OPEN = (Status.OFFERED, Status.ACCEPTED)

    signup = models.ForeignKey(
        Signup, on_delete=models.PROTECT, related_name="swap_offers", verbose_name=_("sign-up")
    )
    receiver = models.ForeignKey(
        VolunteerProfile,
        on_delete=models.PROTECT,
        related_name="swaps_received",
        verbose_name=_("handed to"),
    )
    # offered -> accepted (the task needs a coordinator's approval) -> done | refused;
    # offered -> done (no approval needed) | declined (receiver) | cancelled (giver, or the
    # giver's place ended meanwhile). Changed only by conditional UPDATEs on the status.
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OFFERED, db_index=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or refused by"),
    )
    # The receiver's sign-up once the place moved.
    new_signup = models.OneToOneField(
        Signup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="swap_source",
        verbose_name=_("new sign-up"),
    )

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("signup__profile_id", "receiver_id")
    objects = PageVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift handover")
        verbose_name_plural = _("shift handovers")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["signup"],
                condition=Q(status__in=("offered", "accepted")),
                name="one_open_swap_per_signup",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(new_signup__isnull=False),
                name="swap_done_has_new_signup",
            ),
        ]

    def __str__(self):
        return f"{self.signup} → {self.receiver}"

    @property
    def is_open(self):
        return self.status in self.OPEN
