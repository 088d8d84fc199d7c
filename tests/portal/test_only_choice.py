"""A form offering one allowed community (or compound, or store) has it chosen already: the
coordinator of one community never picks it from a list of one. `portal.forms.
choose_the_only_one` does it for the custom forms; the scoped admin base for every viewset's
required choice fields."""

import re

import pytest

from portal import roles
from tests.factories import CommunityFactory, make_user

pytestmark = pytest.mark.django_db


def _selected(html, name):
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    options = re.findall(r'<option value="([^"]*)"([^>]*)>', select.group(1))
    return [value for value, attrs in options], [v for v, attrs in options if "selected" in attrs]


def test_the_help_request_form_chooses_the_only_community_and_compound(
    client, coordinator, community, compound
):
    client.force_login(coordinator)
    html = client.get("/admin/assistance/new/").content.decode()
    assert _selected(html, "community") == ([str(community.pk)], [str(community.pk)])
    assert _selected(html, "compound") == ([str(compound.pk)], [str(compound.pk)])


def test_two_communities_leave_the_choice_to_the_person(client, community, compound):
    second = CommunityFactory(name="蔚园社区")
    both = make_user(roles.COORDINATOR, [community, second], username="both")
    client.force_login(both)
    html = client.get("/admin/assistance/new/").content.decode()
    values, selected = _selected(html, "community")
    assert "" in values and selected in ([], [""])


def test_a_viewsets_required_community_is_chosen_when_it_is_the_only_one(
    client, coordinator, community
):
    client.force_login(coordinator)
    html = client.get("/admin/volunteers_tasks/new/").content.decode()
    assert _selected(html, "community") == ([str(community.pk)], [str(community.pk)])


def test_the_auto_assign_form_chooses_the_only_community(client, coordinator, community):
    client.force_login(coordinator)
    html = client.get("/admin/volunteering/auto-assign/").content.decode()
    assert _selected(html, "community")[1] == [str(community.pk)]
