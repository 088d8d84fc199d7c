"""Issue 12, point 7: the donor's journey without friction. A visitor who taps "登记为捐赠方"
signs up and comes back; errors sit once beside their field; the receipt is in Chinese and
lists what was refused and why; the receiving form starts at the warehouse; a pledge has a
shareable "where it went" link; a firm that did not agree is never named in public."""

import re

import pytest
from django.urls import reverse

from portal import sms
from tests.portal.test_accounts import last_code

pytestmark = pytest.mark.django_db


def test_register_as_donor_sends_a_visitor_through_phone_sign_up_and_back(client):
    register = reverse("donations:donor_register")
    response = client.get(register)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_signup')}?next={register}"

    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{register}"' in page
    # the other ways in keep the destination too
    assert f"{reverse('account_login')}?next=" in page
    email_signup = client.get(f"{reverse('account_signup_email')}?next={register}")
    assert f"{reverse('account_signup')}?next=" in email_signup.content.decode()

    response = client.post(reverse("account_signup"), {"phone": "13800138000", "next": register})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": last_code(sms.outbox[-1].text)})
    assert response.status_code == 302
    assert response["Location"] == register
    assert client.get(register).status_code == 200
