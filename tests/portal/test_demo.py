import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import Page, Site

from portal import roles
from portal.models import Community, Compound, Post, StaffMembership, User


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Community, Compound, Post, User, StaffMembership, Page, Site, Group)
    }


def test_load_demo_data_creates_the_subdistrict_and_is_idempotent(db, capsys):
    # One test, because loading the whole demo takes a while: the first run prints the logins.
    call_command("load_demo_data")
    out = capsys.readouterr().out
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

    # issue 12: every community has a phone for its posters and pick-up points
    from portal.validators import validate_phone

    for phone in Community.objects.values_list("phone", flat=True):
        validate_phone(phone)
    # the disinfection task needs the disinfection course: the demo volunteer, untrained, is
    # refused and sent to the course
    from volunteers import services as volunteer_services
    from volunteers.models import Shift, Task

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

    call_command("load_demo_data", quiet=True)
    assert counts() == first
    assert Image.objects.count() == images
