"""The demo data set, loaded once for this module: loading it takes a while, so the whole
subdistrict is built in one transaction that is rolled back after the module's last test (each
test runs inside it, in its own savepoint). Every app's demo is checked here."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from wagtail.models import Page, Site

from assistance.models import HelpRequest
from portal import roles
from portal.models import Community, Compound, Post, StaffMembership, User
from portal.scoping import scope
from volunteers.models import (
    Attendance,
    Shift,
    ShiftTemplate,
    Signup,
    StarApplication,
    VolunteerProfile,
)

# The module's tests share one worker (make test runs `--dist loadgroup`), so the demo is
# loaded once per run.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Community,
            Compound,
            Post,
            User,
            StaffMembership,
            Page,
            Site,
            Group,
            VolunteerProfile,
            ShiftTemplate,
            Shift,
            Signup,
            HelpRequest,
        )
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """What the first `load_demo_data` printed; the data stays until the module ends."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo_data", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_load_demo_data_creates_the_subdistrict(demo):
    out = demo  # the first run prints the logins
    assert "coordinator" in out and "demo-pass-2026" in out
    assert "DEMOPORTALLUGOUQIAOSTAFFTOTPCODE" in out  # the demo staff's authenticator secret
    first = counts()
    assert first["Community"] == 37
    for name in (
        "五里店第二社区",
        "民岳家园社区",
        "保利益丰社区",
        "珠江紫台社区",
        "蔚园社区",
        "春园社区",
        "科兴佳园社区",
    ):
        assert Community.objects.filter(name=name).exists()
    assert first["Compound"] >= 150
    assert first["Post"] >= first["Compound"]
    for role in roles.ALL_ROLES:
        assert User.objects.filter(groups__name=role).exists(), role
    assert (
        Site.objects.get(is_default_site=True).root_page.specific.__class__.__name__ == "HomePage"
    )

    household = User.objects.get(username="household")  # a resident: no role, no staff rights
    assert not household.groups.exists() and not household.is_staff
    coordinator = User.objects.get(username="coordinator")
    assert list(coordinator.memberships.values_list("community__name", flat=True)) == [
        "民岳家园社区"
    ]

    # notices, courses and stories come with a banner image, drawn once
    from wagtail.images.models import Image

    from content.models import CoursePage, NoticePage, StoryPage

    for model in (NoticePage, CoursePage, StoryPage):
        assert not model.objects.filter(listing_image__isnull=True).exists(), model
    images = Image.objects.count()
    assert images >= 9 and Image.objects.first().width == 1200


def test_load_demo_data_twice_changes_nothing(demo):
    from wagtail.images.models import Image

    first, images = counts(), Image.objects.count()
    call_command("load_demo_data", quiet=True)
    assert counts() == first
    assert Image.objects.count() == images


def test_demo_volunteers_are_plentiful_and_consistent(demo):
    assert VolunteerProfile.objects.count() >= 300
    assert VolunteerProfile.objects.filter(status="verified").count() > 200
    assert VolunteerProfile.objects.values("community").distinct().count() >= 7
    assert ShiftTemplate.objects.exists() and Shift.objects.count() > 1000
    assert Signup.objects.filter(attendance__minutes__gt=0).exists()
    # Counters agree with the sign-ups and nobody is over capacity.
    wrong = Shift.objects.annotate(
        people=Count("signups", filter=Q(signups__status__in=Signup.HOLDING))
    ).exclude(people=F("taken"))
    assert not wrong.exists()
    assert VolunteerProfile.objects.get(user__username="volunteer").status == "verified"


def test_demo_has_a_star_level_application_to_review(demo):
    """A volunteer with a season of confirmed service is past the first level, so the
    subdistrict's review screen is not empty; her hours are all confirmed ones."""
    application = StarApplication.objects.get()
    assert application.level == 1 and application.status == "pending"
    assert (
        application.minutes
        == Attendance.objects.confirmed()
        .filter(signup__profile=application.profile)
        .aggregate(total=Sum("minutes"))["total"]
        >= 100 * 60
    )


def test_demo_help_requests_in_minyue(demo):
    minyue = Community.objects.get(slug="minyue-jiayuan")
    requests = HelpRequest.objects.filter(community=minyue)
    urgent = requests.get(urgency="urgent")
    assert urgent.status == "closed" and urgent.distributions.exists()
    assert urgent.delivered_at == urgent.closed_at
    assert urgent.lines.get().item.name == "婴幼儿配方奶粉"
    assert urgent.created_at.hour in (23, 15)  # 23:40 Beijing (15:40 UTC) last night
    assert requests.filter(status="new").count() == 1
    # Three households supplied from the store in the last weeks: each distribution points at
    # its (closed) request and carries no address.
    closed = requests.filter(status="closed").exclude(pk=urgent.pk)
    assert closed.count() == 3
    assert all(r.distributions.get().recipient == "household" for r in closed)
    # The coordinator of 民岳家园 sees them all in the back office queue.
    coordinator = User.objects.get(username="coordinator")
    assert scope(HelpRequest.objects.all(), coordinator).count() == 5


def test_demo_shows_the_rules(demo):
    # issue 12: every community has a phone for its posters and pick-up points
    from portal.validators import validate_phone

    for phone in Community.objects.values_list("phone", flat=True):
        validate_phone(phone)
    # the disinfection task needs the disinfection course: the demo volunteer, untrained, is
    # refused and sent to the course
    from content.models import CoursePage
    from volunteers import services as volunteer_services
    from volunteers.models import Task

    disinfection = Task.objects.filter(kind=Task.Kind.DISINFECTION)
    assert disinfection.exists()
    course = CoursePage.objects.get(slug="disinfection")
    assert not disinfection.exclude(required_courses=course).exists()
    shift = Shift.objects.open().filter(
        task__in=disinfection, task__community__slug="minyue-jiayuan"
    )
    profile = User.objects.get(username="volunteer").volunteer_profile
    with pytest.raises(volunteer_services.SignupError) as refused:
        volunteer_services.sign_up(profile, shift.first())
    assert refused.value.code == "course"
    # tasks are their community's own: nobody from elsewhere was signed up by the demo
    assert not Task.objects.filter(own_community_only=False).exists()


def test_demo_needs_fill_the_public_page(demo):
    from donations.models import Need
    from donations.services import public_needs

    states = set(Need.objects.values_list("status", flat=True))
    assert {"approved", "met", "submitted", "draft"} <= states
    page = public_needs()
    assert len(page["open"]) >= 3 and len(page["met"]) == 1
    assert any(need.figures["received"] and need.figures["missing"] for need in page["open"])
