"""Times in the back office read in Beijing time, as everywhere else (issue 12)."""

import datetime

from portal.models import AuditEvent

TRAIL_URL = "/admin/reports/audit-trail/"
# 03:00 UTC is 11:00 in Beijing.
MOMENT = datetime.datetime(2026, 11, 24, 3, 0, tzinfo=datetime.UTC)


def test_the_inspect_view_shows_times_in_beijing_time(client, subdistrict_admin, monkeypatch):
    with monkeypatch.context() as patched:  # the trail is append-only: made at that moment
        patched.setattr("django.utils.timezone.now", lambda: MOMENT)
        event = AuditEvent.objects.create(action="accounts.login", description="x")
    client.force_login(subdistrict_admin)
    html = client.get(f"{TRAIL_URL}inspect/{event.pk}/").content.decode()
    assert "2026年11月24日 11:00" in html
    assert "03:00" not in html


def test_every_datetime_field_is_shown_in_local_time():
    from wagtail.admin.ui.fields import display_class_registry

    from donations.models import Dispatch

    display = display_class_registry.get(Dispatch._meta.get_field("dispatched_at"))
    assert display(MOMENT).render_html({}) == "2026年11月24日 11:00"
    assert display(None).render_html({}) == "-"


def test_a_distribution_is_named_by_its_beijing_date(community):
    from donations.models import Distribution

    late = datetime.datetime(2026, 11, 24, 17, 0, tzinfo=datetime.UTC)  # 25 Nov, 01:00
    distribution = Distribution(community=community, distributed_at=late)
    assert str(distribution).endswith("2026-11-25")


def test_an_audit_event_is_named_by_its_beijing_time():
    assert str(AuditEvent(timestamp=MOMENT, action="a", description="b")).startswith(
        "2026-11-24 11:00"
    )
