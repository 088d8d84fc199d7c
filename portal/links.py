"""Absolute links to the site, for what leaves it: SMS, email, QR codes, PDFs, feeds.

SITE_URL (settings, from the environment in production) is the one source of the site's
address; links are made in the default language, so a message reads the same wherever it is
sent from.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def site_url(name, *args, **kwargs):
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(reverse(name, args=args or None, kwargs=kwargs or None))
