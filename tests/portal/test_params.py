"""Ids and numbers typed into a query string or a form: garbage is a 404, an ignored parameter
or a message, never a 500 (each of these raised ValueError or OverflowError before)."""

import pytest
from django.urls import reverse

from portal.params import parse_id, parse_ids
from tests.factories import ShiftFactory

HUGE = str(2**70)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", None),
        ("-3", None),
        ("abc", None),
        ("", None),
        (None, None),
        ("²", None),
        ("١٢", None),
        ("1.5", None),
        (HUGE, None),
        (str(2**63 - 1), 2**63 - 1),
    ],
)
def test_parse_id_takes_plain_decimal_ids_in_range_only(value, expected):
    assert parse_id(value) == expected


def test_parse_ids_drops_the_garbage():
    assert parse_ids(["3", "x", HUGE, "4"]) == [3, 4]


@pytest.fixture
def admin_client(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    client.raise_request_exception = False
    return client


@pytest.mark.django_db
def test_the_transfer_form_ignores_a_balance_that_is_not_an_id(admin_client):
    for value in ("²", HUGE):
        response = admin_client.get(reverse("donations_admin:transfer"), {"balance": value})
        assert response.status_code in (200, 404)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["abc", "", "²", "1.5"])
def test_inviting_a_profile_that_is_not_an_id_is_not_found(admin_client, community, value):
    shift = ShiftFactory(task__community=community)
    response = admin_client.post(
        reverse("volunteers_admin:shift_people", args=[shift.pk]),
        {"action": "invite", "profile": value},
    )
    assert response.status_code == 404


@pytest.mark.django_db
def test_auto_assign_ignores_pairs_beyond_every_id(admin_client):
    admin_client.raise_request_exception = True
    response = admin_client.post(
        reverse("volunteers_admin:auto_assign"), {"action": "send", "pair": [f"{HUGE}:1", "²:1"]}
    )
    assert response.status_code < 500
