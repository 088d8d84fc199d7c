"""How the back office prints values that Wagtail would print wrongly.

Wagtail's inspect view renders a field's value with `|localize`, a filter that does not convert
an aware datetime to the current time zone: every "dispatched at", "received at", "consent
given at" showed in UTC, eight hours behind the listing beside it. Registered for every
DateTimeField (and its subclasses) in PortalConfig.ready.
"""

from django.db import models
from django.utils import formats, timezone
from django.utils.html import conditional_escape
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class


class LocalDateTimeDisplay(BaseFieldDisplay):
    """A datetime in the current time zone (Beijing time unless the user chose another)."""

    def render_html(self, parent_context=None):
        value = self.value
        if value is None:
            return "-"
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return conditional_escape(formats.localize(value, use_l10n=True))


def register():
    register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)
