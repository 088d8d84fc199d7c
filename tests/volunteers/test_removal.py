"""Journey 2, step 4: a volunteer calls in sick and the coordinator takes him off the shift.
She says why (a short choice and her own words), is told whom she took off which shift, and the
person is not offered first for that shift again. Cancelling a whole shift asks why as well."""

import pytest
from django.contrib.messages import get_messages

from portal import sms
from portal.models import AuditEvent
from tests.factories import VolunteerProfileFactory
from volunteers import services
from volunteers.models import Shift, Signup

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_shift(volunteer, shift):
    return services.sign_up(volunteer, shift)


def _url(signup):
    return f"/admin/volunteering/signups/{signup.pk}/remove/"


def test_the_service_refuses_a_removal_without_a_reason(coordinator, on_shift, shift):
    with pytest.raises(services.VolunteerError):
        services.remove_from_shift(on_shift, coordinator, "  ")
    shift.refresh_from_db()
    assert Signup.objects.get(pk=on_shift.pk).status == "confirmed" and shift.taken == 1


def test_the_people_page_links_to_a_form_that_asks_why(client, coordinator, on_shift, shift):
    client.force_login(coordinator)
    html = client.get(f"/admin/volunteering/shifts/{shift.pk}/people/").content.decode()
    assert _url(on_shift) in html
    html = client.get(_url(on_shift)).content.decode()
    assert "李晓红" in html and 'name="why"' in html and 'name="note"' in html


def test_no_reason_no_removal(client, coordinator, on_shift, shift):
    client.force_login(coordinator)
    response = client.post(_url(on_shift), {"why": "", "note": ""})
    assert response.status_code == 200
    response = client.post(_url(on_shift), {"why": "other", "note": " "})
    assert response.status_code == 200 and "note" in response.context["form"].errors
    # the people page's own POST no longer takes anyone off without a reason
    client.post(
        f"/admin/volunteering/shifts/{shift.pk}/people/",
        {"action": "remove", "signup": on_shift.pk},
    )
    shift.refresh_from_db()
    assert Signup.objects.get(pk=on_shift.pk).status == "confirmed" and shift.taken == 1


def test_removal_says_whom_and_which_shift_tells_the_person_and_keeps_the_reason(
    client, coordinator, on_shift, shift
):
    client.force_login(coordinator)
    response = client.post(_url(on_shift), {"why": "sick", "note": "发烧"}, follow=True)
    shift.refresh_from_db()
    signup = Signup.objects.get(pk=on_shift.pk)
    assert signup.status == "cancelled" and shift.taken == 0
    assert signup.end_reason == "生病：发烧"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("李晓红" in m and str(shift) in m for m in messages) or (
        f"李晓红 已从 {shift} 移出" in response.content.decode()
    )
    assert "生病：发烧" in sms.outbox[-1].text
    event = AuditEvent.objects.get(action="volunteers.signup.remove")
    assert event.details["reason"] == "生病：发烧"


def test_the_removed_person_is_not_offered_first_for_that_shift_again(
    client, coordinator, volunteer, on_shift, shift, community, compound
):
    # 李晓红 sorts before 郑邻居: before the fix she came back first in the invite list
    VolunteerProfileFactory(community=community, compound=compound, real_name="郑邻居")
    client.force_login(coordinator)
    client.post(_url(on_shift), {"why": "sick", "note": ""})
    response = client.get(f"/admin/volunteering/shifts/{shift.pk}/people/")
    assert [p.real_name for p in response.context["candidates"]] == ["郑邻居"]
    assert [p.real_name for p in response.context["ended_candidates"]] == ["李晓红"]
    html = response.content.decode()
    assert html.index("郑邻居") < html.rindex("李晓红")
    response = client.get(f"/admin/volunteering/shifts/{shift.pk}/suggestions/")
    assert "李晓红" not in [s.profile.real_name for s in response.context["suggestions"]]


def test_another_communitys_coordinator_cannot_remove(client, other_coordinator, on_shift):
    client.force_login(other_coordinator)
    assert client.get(_url(on_shift)).status_code == 404
    assert client.post(_url(on_shift), {"why": "sick"}).status_code == 404
    assert Signup.objects.get(pk=on_shift.pk).status == "confirmed"


def test_cancelling_a_shift_asks_why_and_names_the_shift(client, coordinator, on_shift, shift):
    client.force_login(coordinator)
    url = f"/admin/volunteering/shifts/{shift.pk}/people/"
    client.post(url, {"action": "cancel", "reason": ""})
    assert Shift.objects.get(pk=shift.pk).cancelled_at is None
    response = client.post(url, {"action": "cancel", "reason": "暴雨"}, follow=True)
    shift.refresh_from_db()
    assert shift.cancelled_at is not None and shift.cancel_reason == "暴雨"
    assert str(shift) in response.content.decode()
    assert Signup.objects.get(pk=on_shift.pk).end_reason == "暴雨"


def test_the_reason_goes_with_the_persons_data(coordinator, volunteer, on_shift):
    from portal.personal_data import collect
    from volunteers.services.profiles import anonymise_profile

    services.remove_from_shift(on_shift, coordinator, "生病：发烧")
    shifts = next(s for s in collect(volunteer.user) if s.key == "shifts")
    assert any("生病：发烧" in str(cell) for row in shifts.rows for cell in row)
    anonymise_profile(volunteer)
    assert Signup.objects.get(pk=on_shift.pk).end_reason == ""
