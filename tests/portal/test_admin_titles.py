"""Every back-office screen names itself in the browser's tab and history: a page whose
<title> is only " - Wagtail" reads as nothing to a screen reader and in a list of tabs. The
sweep walks the resolver for the admin's screens that take no argument, so a new screen is
checked without being listed here."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Wagtail's deliberate 500 and the log-out (it would end the session of the sweep).
SKIP = ("/admin/error_test/", "/admin/failwhale/", "/admin/logout/")
TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _admin_paths(patterns=None, prefix=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _admin_paths(pattern.url_patterns, prefix + route)
        elif isinstance(pattern, URLPattern) and not pattern.pattern.converters:
            path = "/" + prefix + route
            if path.startswith("/admin/") and "^" not in path and "(" not in path:
                yield path


@pytest.mark.django_db
def test_every_admin_screen_without_an_id_has_a_title(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    seen = []
    untitled = []
    for path in sorted(set(_admin_paths()) - set(SKIP)):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        match = TITLE.search(response.content.decode())
        if match is None:
            continue
        seen.append(path)
        name = match.group(1).split(" - Wagtail")[0].strip()
        if not name:
            untitled.append(path)
    assert len(seen) > 20, seen  # the sweep reached the screens
    assert untitled == []
