import pytest

from portal import sms
from tests.factories import VolunteerProfileFactory
from volunteers import services

pytestmark = pytest.mark.django_db


def test_invitation_reaches_volunteer_in_english_when_that_is_their_language(
    coordinator, shift, community
):
    profile = VolunteerProfileFactory(community=community, user__language="en")
    services.invite(shift, profile, coordinator)
    assert "invites you" in sms.outbox[-1].text
    chinese = VolunteerProfileFactory(community=community)
    services.invite(shift, chinese, coordinator)
    assert "邀请您" in sms.outbox[-1].text


def test_email_goes_out_with_subject_and_body(coordinator, community, mailoutbox):
    profile = VolunteerProfileFactory(community=community, status="pending")
    services.verify_profile(profile, coordinator)
    assert mailoutbox[-1].subject == "您的志愿者报名已通过审核"
    assert "/volunteers/shifts/" in mailoutbox[-1].body
