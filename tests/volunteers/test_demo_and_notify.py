import io

import pytest
from django.db.models import Count, F, Q

from portal import demo as portal_demo
from portal import sms
from tests.factories import VolunteerProfileFactory
from volunteers import demo, services
from volunteers.models import Shift, ShiftTemplate, Signup, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_demo_data_is_plentiful_consistent_and_idempotent():
    portal_demo.load_places()
    portal_demo.load_accounts()
    demo.load(stdout=io.StringIO())
    counts = {
        "profiles": VolunteerProfile.objects.count(),
        "templates": ShiftTemplate.objects.count(),
        "shifts": Shift.objects.count(),
        "signups": Signup.objects.count(),
    }
    assert counts["profiles"] >= 300
    assert VolunteerProfile.objects.filter(status="verified").count() > 200
    assert VolunteerProfile.objects.values("community").distinct().count() >= 7
    assert counts["templates"] > 0 and counts["shifts"] > 1000
    assert Signup.objects.filter(attendance__minutes__gt=0).exists()
    # Counters agree with the sign-ups and nobody is over capacity.
    wrong = Shift.objects.annotate(
        people=Count("signups", filter=Q(signups__status__in=Signup.HOLDING))
    ).exclude(people=F("taken"))
    assert not wrong.exists()
    assert VolunteerProfile.objects.get(user__username="volunteer").status == "verified"
    demo.load(stdout=io.StringIO())
    assert counts == {
        "profiles": VolunteerProfile.objects.count(),
        "templates": ShiftTemplate.objects.count(),
        "shifts": Shift.objects.count(),
        "signups": Signup.objects.count(),
    }


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
