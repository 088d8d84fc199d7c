"""Absolute links to the site, for what leaves it: SMS, email, QR codes, PDFs, feeds, the
sitemap, canonical and og:url tags, the API.

SITE_URL (settings, from the environment; production refuses to start without it) is the one
source of the site's address. WAGTAILADMIN_BASE_URL and WAGTAILAPI_BASE_URL are set from it in
settings, and `sync_site` makes the default Wagtail Site record (whose root_url Wagtail uses for
`page.full_url` and the sitemap) agree with it after every migrate and in load_demo_data. A
link is never made from the request's Host header, which a client chooses. Links are made in
the default language, so a message reads the same wherever it is sent from.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def site_domain():
    """SITE_URL's host name: the stable domain of identifiers that must never change (calendar
    event UIDs), whatever Host header a request came with."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def site_url(name, *args, **kwargs):
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(reverse(name, args=args or None, kwargs=kwargs or None))


def sync_site():
    """Point the default Wagtail Site at SITE_URL's host and port (when there is one)."""
    from wagtail.models import Site

    parts = urlsplit(settings.SITE_URL)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    site = Site.objects.filter(is_default_site=True).first()
    if site is not None and (site.hostname, site.port) != (parts.hostname, port):
        site.hostname, site.port = parts.hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
