"""The volunteer e-card (issue #14, item 6): the card page, the gate's check of its QR code
(a signed, expiring, revocable token; valid or not; masked name; on duty now)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import tokens
from tests.factories import ShiftFactory, SignupFactory
from volunteers.services import cards
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db


def _gate_path(response):
    return re.search(r"/volunteers/card/[^/]+/", response.context["gate_url"]).group(0)


def test_the_card_shows_number_name_community_teams_and_a_qr(client, volunteer, community):
    team = team_services.create_team(name="民岳家园服务队", community=community)
    team_services.set_leader(team, volunteer)
    client.force_login(volunteer.user)
    response = client.get(reverse("volunteers:card"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李晓红" in html and "民岳家园社区" in html and "民岳家园服务队" in html
    assert cards.volunteer_number(volunteer) in html and "<svg" in html
    assert "no-store" in response["Cache-Control"]


def test_the_gate_sees_a_valid_card_with_a_masked_name(client, volunteer):
    token = cards.card_token(volunteer)
    assert str(volunteer.real_name) not in token and volunteer.mobile not in token
    response = client.get(reverse("volunteers:card_check", args=[token]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "李**" in html and "李晓红" not in html and "民岳家园社区" in html
    assert response.context["check"].valid and not response.context["check"].on_duty


def test_the_gate_sees_who_is_on_duty_now(volunteer, gate_task):
    now = timezone.now()
    shift = ShiftFactory(
        task=gate_task, start=now - timedelta(hours=1), end=now + timedelta(hours=4)
    )
    SignupFactory(shift=shift, profile=volunteer)
    later = ShiftFactory(
        task=gate_task, start=now + timedelta(hours=6), end=now + timedelta(hours=9)
    )
    SignupFactory(shift=later, profile=volunteer)
    check = cards.read_card(cards.card_token(volunteer))
    assert check.valid and check.on_duty == [shift]


def test_an_altered_reissued_or_foreign_token_is_refused(client, volunteer):
    token = cards.card_token(volunteer)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert not cards.read_card(altered).valid
    # a certificate's or a post's token never passes as a card
    assert not cards.read_card(tokens.sign("volunteers.post", {"p": volunteer.pk, "v": 1})).valid
    cards.reissue_card(volunteer)
    assert not cards.read_card(token).valid
    assert cards.read_card(cards.card_token(volunteer)).valid
    response = client.get(reverse("volunteers:card_check", args=[token]))
    assert response.status_code == 404 and "李" not in response.content.decode()


def test_a_card_expires(volunteer, settings):
    token = cards.card_token(volunteer)
    settings.VOLUNTEERS_CARD_TOKEN_DAYS = 0
    assert not cards.read_card(token).valid


def test_a_volunteer_no_longer_confirmed_has_no_valid_card(volunteer):
    token = cards.card_token(volunteer)
    volunteer.status = "pending"
    volunteer.save()
    assert not cards.read_card(token).valid


def test_reissuing_from_the_card_page_revokes_the_old_code(client, volunteer):
    client.force_login(volunteer.user)
    first = _gate_path(client.get(reverse("volunteers:card")))
    client.post(reverse("volunteers:card_reissue"))
    second = _gate_path(client.get(reverse("volunteers:card")))
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_the_card_shows_the_granted_star_level(volunteer):
    from volunteers.models import StarApplication

    assert not cards.star_level_for(volunteer)
    StarApplication.objects.create(
        profile=volunteer,
        community=volunteer.community,
        level=1,
        minutes=100 * 60,
        serial="XJ-TEST-1",
        status=StarApplication.Status.GRANTED,
    )
    assert cards.star_level_for(volunteer) == 1
