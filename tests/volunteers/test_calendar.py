"""The calendar feed's event UIDs are on SITE_URL's domain: the same shift keeps its UID
however the feed was fetched, and a Host header chosen by a client never reaches the file."""

import pytest
from django.test import override_settings

from volunteers import services

pytestmark = pytest.mark.django_db


def _uids(client, volunteer, host):
    feed = client.get(f"/volunteers/calendar/{volunteer.calendar_token}.ics", HTTP_HOST=host)
    assert feed.status_code == 200
    body = feed.content.decode()
    return [line.split(":", 1)[1] for line in body.splitlines() if line.startswith("UID:")], body


@override_settings(SITE_URL="https://volunteer.lugouqiao.example")
def test_event_uids_do_not_follow_the_host_header(client, volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    uids, _body = _uids(client, volunteer, "testserver")
    assert uids == [f"volunteer-signup-{signup.pk}@volunteer.lugouqiao.example"]
    spoofed, body = _uids(client, volunteer, "evil.example")
    assert spoofed == uids and "evil" not in body
