"""The live figures on the home page: open places, verified volunteers, supplies received and
handed out. Counted for everyone (no personal data) and cached for a minute."""

from django.core.cache import cache
from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from donations.services import public_figures as donation_totals
from volunteers.models import Shift, VolunteerProfile

CACHE_KEY = "portal:figures"
CACHE_SECONDS = 60
LABELS = {
    "open_places": _("Open places on shifts"),
    "volunteers_verified": _("Volunteers verified"),
    "supplies_received": _("Supplies received (items)"),
    "supplies_distributed": _("Supplies distributed (items)"),
}


def compute_figures():
    open_places = (
        Shift.objects.open().public().aggregate(places=Sum(F("places") - F("taken")))["places"]
    )
    verified = VolunteerProfile.objects.filter(status=VolunteerProfile.Status.VERIFIED).count()
    supplies = donation_totals()
    return [
        ("open_places", open_places or 0),
        ("volunteers_verified", verified),
        ("supplies_received", supplies["received"]),
        ("supplies_distributed", supplies["distributed"]),
    ]


def public_figures():
    """The figures as dicts {key, label, value}, in the current language."""
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = compute_figures()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    return [{"key": key, "label": LABELS[key], "value": value} for key, value in figures]
