"""Live figures for the home page, from the volunteers and donations apps when they exist.

Each app may be missing or not yet have the models (they are built in parallel), so every
figure is optional: a missing one is simply not shown. Cached for a minute.
"""

import logging

from django.apps import apps
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("portal")
CACHE_KEY = "content:figures"
CACHE_SECONDS = 60
LABELS = {
    "open_places": _("Open places on shifts"),
    "volunteers_verified": _("Volunteers verified"),
    "supplies_received": _("Supplies received (items)"),
    "supplies_distributed": _("Supplies distributed (items)"),
}


def _volunteer_figures():
    if not apps.is_installed("volunteers"):
        return []
    try:
        from volunteers.models import Shift, VolunteerProfile
    except ImportError:
        return []
    from django.db.models import F, Sum

    figures = []
    if hasattr(Shift.objects, "open"):
        open_places = (
            Shift.objects.open().public().aggregate(places=Sum(F("places") - F("taken")))["places"]
        )
        figures.append(("open_places", open_places or 0))
    status = getattr(VolunteerProfile, "Status", None)
    if status is not None and hasattr(status, "VERIFIED"):
        verified = VolunteerProfile.objects.filter(status=status.VERIFIED).count()
        figures.append(("volunteers_verified", verified))
    return figures


def _donation_figures():
    """donations.services.public_figures() -> {"received": n, "distributed": n} if provided."""
    if not apps.is_installed("donations"):
        return []
    try:
        from donations.services import public_figures
    except ImportError:
        return []
    totals = public_figures() or {}
    figures = []
    if "received" in totals:
        figures.append(("supplies_received", totals["received"]))
    if "distributed" in totals:
        figures.append(("supplies_distributed", totals["distributed"]))
    return figures


def compute_figures():
    figures = []
    for source in (_volunteer_figures, _donation_figures):
        try:
            figures.extend(source())
        except DatabaseError:  # the other app's tables are not migrated yet
            logger.warning("content: figures from %s unavailable", source.__name__)
    return figures


def public_figures():
    """The figures as dicts {key, label, value}, in the current language."""
    figures = cache.get(CACHE_KEY)
    if figures is None:
        figures = compute_figures()
        cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    return [{"key": key, "label": LABELS[key], "value": value} for key, value in figures]
