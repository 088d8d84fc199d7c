"""A volunteer's place on a shift: the Signup, its statuses and the groups of them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .page_versions import PageVersionQuerySet
from .profiles import VolunteerProfile
from .shifts import Shift


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


class SignupQuerySet(PageVersionQuerySet):
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
    team_lookup = "shift__task__project__team"
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
    # Why a coordinator took the person off (or cancelled the shift); told to the person.
    end_reason = models.CharField(_("reason"), max_length=250, blank=True)
    # Set (once, by a conditional update) when the reminder before the shift went out.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    # whose own page shows these rows (portal.fragments; volunteers/models/page_versions.py)
    volunteer_page_lookups = ("profile_id",)
    objects = SignupQuerySet.as_manager()

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["shift__start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "profile"],
                condition=Q(status__in=LIVE),
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
