"""The matching screens accept only the candidates they offer and never name anyone else; a help
request's delivery shift is invite-only (issue 10, point 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assistance import services
from assistance.models import HelpRequest
from portal import roles
from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory, make_user
from volunteers import matching
from volunteers import services as volunteers
from volunteers.models import Shift, Signup, VolunteerProfile

SECRET_NAME = "王秘密"


@pytest.fixture(autouse=True)
def _notify_at_once(monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture
def shift(community, compound):
    start = (timezone.now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
    task = TaskFactory(community=community, compound=compound, own_community_only=True)
    return ShiftFactory(task=task, start=start, end=start + timedelta(hours=4), places=2)


@pytest.fixture
def outsider(other_community):
    """Someone the coordinator of 民岳家园 was never shown: another community, not verified."""
    return VolunteerProfileFactory(
        real_name=SECRET_NAME,
        community=other_community,
        status=VolunteerProfile.Status.PENDING,
    )


@pytest.fixture
def neighbour(community, compound):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="neighbour"),
        real_name="李近邻",
        community=community,
        compound=compound,
    )


@pytest.fixture
def help_request(community, compound, coordinator):
    return services.record_request(
        community=community,
        compound=compound,
        building="3号楼2单元501",
        contact_phone="13911112222",
        need="牛奶",
        by=coordinator,
    )


def _page(response):
    return response.content.decode()


def _leaks(html):
    """Anything that tells the coordinator about the refused person."""
    return [
        word
        for word in (SECRET_NAME, "审核通过", "蔚园社区", "仅限", "Only verified")
        if word in html
    ]


def test_shift_suggestions_refuse_a_person_not_offered_without_naming_them(
    client, coordinator, shift, outsider
):
    client.force_login(coordinator)
    response = client.post(
        f"/admin/volunteering/shifts/{shift.pk}/suggestions/",
        {"action": "invite", "profile": outsider.pk},
        follow=True,
    )
    assert response.status_code == 200
    assert not Signup.objects.exists()
    assert _leaks(_page(response)) == []
    assert "邀请没有发出" in _page(response)


def test_shift_suggestions_junk_or_unknown_ids_get_the_same_answer(client, coordinator, shift):
    client.force_login(coordinator)
    for value in ("999999", "abc", "9" * 40, "²"):
        response = client.post(
            f"/admin/volunteering/shifts/{shift.pk}/suggestions/",
            {"action": "invite", "profile": value},
            follow=True,
        )
        assert response.status_code == 200 and "邀请没有发出" in _page(response)
    assert not Signup.objects.exists()


def test_shift_suggestions_still_invite_an_offered_candidate(client, coordinator, shift, neighbour):
    client.force_login(coordinator)
    response = client.post(
        f"/admin/volunteering/shifts/{shift.pk}/suggestions/",
        {"action": "invite", "profile": neighbour.pk},
        follow=True,
    )
    assert Signup.objects.get(shift=shift, profile=neighbour).status == "invited"
    assert "李近邻" in _page(response)


def test_auto_assign_send_counts_refusals_and_names_nobody(
    client, coordinator, shift, outsider, neighbour
):
    client.force_login(coordinator)
    response = client.post(
        "/admin/volunteering/auto-assign/",
        {"action": "send", "pair": [f"{shift.pk}:{outsider.pk}", f"{shift.pk}:{neighbour.pk}"]},
        follow=True,
    )
    html = _page(response)
    assert [s.profile for s in Signup.objects.all()] == [neighbour]
    assert _leaks(html) == []
    assert "1 个邀请没有发出" in html


def test_send_invitations_refuses_non_candidates_in_the_service(coordinator, shift, outsider):
    sent, refused = matching.send_invitations([(shift.pk, outsider.pk)], coordinator)
    assert sent == [] and len(refused) == 1
    assert SECRET_NAME not in str(refused) and not Signup.objects.exists()


def test_candidates_are_who_the_suggestions_offer(shift, outsider, neighbour):
    offered = {s.profile.pk for s in matching.rank_for_shift(shift)}
    assert (
        matching.candidates_among(shift, [outsider.pk, neighbour.pk]) == offered == {neighbour.pk}
    )


def test_request_assignment_refuses_a_person_not_offered_without_naming_them(
    client, coordinator, help_request, outsider
):
    services.delivery_shift(help_request, by=coordinator)
    client.force_login(coordinator)
    response = client.post(
        f"/admin/assistance/{help_request.pk}/",
        {"action": "assign", "profile": outsider.pk},
        follow=True,
    )
    html = _page(response)
    help_request.refresh_from_db()
    assert help_request.status == HelpRequest.Status.NEW
    assert help_request.assigned_volunteer is None and not Signup.objects.exists()
    assert _leaks(html.replace(help_request.community.name, "")) == []
    assert "不能请这位志愿者配送" in html


def test_request_assignment_service_refuses_a_non_candidate(coordinator, help_request, outsider):
    with pytest.raises(services.AssistanceError) as raised:
        services.assign_volunteer(help_request, outsider, by=coordinator)
    assert raised.value.code == "candidate"
    assert SECRET_NAME not in " ".join(raised.value.messages)


# --- delivery shifts are invite-only -----------------------------------------------------------


@pytest.fixture
def delivery(coordinator, help_request):
    return services.delivery_shift(help_request, by=coordinator)


def test_delivery_shift_is_not_in_public_lists(client, neighbour, delivery):
    client.force_login(neighbour.user)
    listed = client.get("/volunteers/shifts/").context["page"].object_list
    assert delivery not in list(listed)
    assert delivery not in [s for s, _r in matching.recommend_for_profile(neighbour)]
    assert not Shift.objects.open().public().filter(pk=delivery.pk).exists()


def test_volunteer_cannot_open_or_take_a_delivery_shift(client, neighbour, delivery):
    client.force_login(neighbour.user)
    assert client.get(f"/volunteers/shifts/{delivery.pk}/").status_code == 404
    assert client.post(f"/volunteers/shifts/{delivery.pk}/sign-up/").status_code == 404
    delivery.refresh_from_db()
    assert delivery.taken == 0 and not Signup.objects.exists()


def test_sign_up_service_refuses_a_delivery_shift_without_invitation(neighbour, delivery):
    with pytest.raises(volunteers.SignupError) as raised:
        volunteers.sign_up(neighbour, delivery)
    assert raised.value.code == "invite_only"
    assert "仅限受邀" in " ".join(str(m) for m in raised.value.messages)
    assert not Signup.objects.exists()


def test_invited_volunteer_sees_and_accepts_the_delivery(
    client, coordinator, help_request, neighbour
):
    services.assign_volunteer(help_request, neighbour, by=coordinator)
    delivery = Shift.objects.get(help_requests=help_request)
    client.force_login(neighbour.user)
    assert client.get(f"/volunteers/shifts/{delivery.pk}/").status_code == 200
    invitation = Signup.objects.get(shift=delivery, profile=neighbour)
    client.post(f"/volunteers/signups/{invitation.pk}/accept/")
    invitation.refresh_from_db()
    assert invitation.status == "confirmed"
