"""Wagtail's sidebar, built once per person and kept a short while in the shared cache.

Every back-office page embeds the sidebar's menu as JSON (`{% sidebar_props %}` in
wagtailadmin/base.html): each menu item, submenu and search area asks whether this person may
see it, and the whole is packed for the browser. On the coordinator's dashboard that was a
quarter of the page's time (issue 13, point 2), for a menu that changes only when the
person's permissions do. Which item is active is worked out in the browser from the address,
so the JSON is the same on every page for the same person.

`cached_sidebar_props` is registered under Wagtail's tag name in PortalConfig.ready: it keeps
Wagtail's own output like a permission set (portal.accounts.permissions.cached_for_user: per
person, under the permission generation, moved by any change of groups, roles, permissions,
page, collection or approval-task permissions), also keyed by the language and the person's
name (the menu shows it), for SIDEBAR_CACHE_SECONDS; anything else that could change a menu (a
new avatar) shows within that time. Nothing in it is secret to the person: it is their own
menu, served only to them.
"""

import hashlib

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from wagtail.admin.templatetags import wagtailadmin_tags

from portal.accounts.permissions import cached_for_user

wagtail_sidebar_props = wagtailadmin_tags.sidebar_props


def cached_sidebar_props(context):
    user = getattr(context["request"], "user", None)
    seconds = settings.SIDEBAR_CACHE_SECONDS
    if seconds <= 0 or user is None or not user.is_authenticated:
        return wagtail_sidebar_props(context)
    shown = f"{user.first_name}|{user.last_name}|{user.get_username()}"
    name = f"sidebar:{get_language() or ''}:{hashlib.sha256(shown.encode()).hexdigest()[:16]}"
    html = cached_for_user(user, name, lambda: str(wagtail_sidebar_props(context)), seconds)
    return mark_safe(html)  # noqa: S308 - Wagtail's own json_script output, stored as is


def register():
    """Put the cached tag in place of Wagtail's (templates are compiled after apps are ready)."""
    wagtailadmin_tags.register.simple_tag(takes_context=True, name="sidebar_props")(
        cached_sidebar_props
    )
