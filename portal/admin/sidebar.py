"""Wagtail's sidebar, built once per person and kept a short while in the shared cache.

Every back-office page embeds the sidebar's menu as JSON (`{% sidebar_props %}` in
wagtailadmin/base.html): each menu item, submenu and search area asks whether this person may
see it, and the whole is packed for the browser. On the coordinator's dashboard that was a
quarter of the page's time (issue 13, point 2), for a menu that changes only when the
person's permissions do. Which item is active is worked out in the browser from the address,
so the JSON is the same on every page for the same person.

`cached_sidebar_props` is registered under Wagtail's tag name in PortalConfig.ready: it keeps
Wagtail's own output under a key of the person, their name (the menu shows it), the language
and the permission generation of portal.accounts.permissions (moved by any change of groups,
roles or permissions), for SIDEBAR_CACHE_SECONDS; anything else that could change a menu (a
page permission given to a group, a new avatar) shows within that time. Nothing in it is
secret to the person: it is their own menu, served only to them.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.admin.templatetags import wagtailadmin_tags

from portal.accounts.permissions import GENERATION_KEY

PREFIX = "portal:sidebar"
wagtail_sidebar_props = wagtailadmin_tags.sidebar_props


def _key(user):
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        return None  # no generation yet: nothing cached can be told apart from the next one
    name = f"{user.first_name}|{user.last_name}|{user.get_username()}|{int(user.is_superuser)}"
    digest = hashlib.sha256(
        "|".join([str(user.pk), name, get_language() or "", str(generation)]).encode()
    ).hexdigest()[:32]
    return f"{PREFIX}:{digest}"


def cached_sidebar_props(context):
    request = context["request"]
    user = getattr(request, "user", None)
    seconds = settings.SIDEBAR_CACHE_SECONDS
    if seconds <= 0 or user is None or not user.is_authenticated:
        return wagtail_sidebar_props(context)
    key = _key(user)
    if key is None:
        return wagtail_sidebar_props(context)
    html = cache.get(key)
    if html is None:
        html = str(wagtail_sidebar_props(context))
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308 - Wagtail's own json_script output, stored as is


def register():
    """Put the cached tag in place of Wagtail's (templates are compiled after apps are ready)."""
    wagtailadmin_tags.register.simple_tag(takes_context=True, name="sidebar_props")(
        cached_sidebar_props
    )
