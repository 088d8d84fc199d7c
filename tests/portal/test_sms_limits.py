"""Text messages are capped per mobile number (per hour and per day) on every path that sends
one: sign-up and log-in codes answer with a Chinese message instead of a code, notifications
over the cap are dropped with a log line, and allauth's own rate limits give the 429 page."""

import logging

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from portal import sms
from portal.notify import deliver
from tests.factories import UserFactory

CAP_MESSAGE = "发送到这个手机号的短信太多"
# allauth's own limits, minus the one-code-per-30-seconds rule, as if the attempts were spread
# over the hour: what is left to stop them is the per-number cap.
SPREAD_OUT = {"signup": "100/m/ip", "request_login_code": "100/m/ip", "verify_phone": "100/m/ip"}


@override_settings(SMS_LIMIT_PER_HOUR=3, SMS_LIMIT_PER_DAY=5)
def test_send_sms_stops_at_the_hourly_cap_and_sends_nothing_more():
    for _n in range(3):
        sms.send_sms("13800138000", "hello")
    with pytest.raises(sms.SMSLimitExceeded):
        sms.send_sms("13800138000", "hello")
    assert len(sms.outbox) == 3
    # Another number has its own count.
    sms.send_sms("13900139000", "hello")
    assert len(sms.outbox) == 4


@override_settings(SMS_LIMIT_PER_HOUR=100, SMS_LIMIT_PER_DAY=4)
def test_send_sms_stops_at_the_daily_cap():
    for _n in range(4):
        sms.send_sms("13800138000", "hello")
    with pytest.raises(sms.SMSLimitExceeded):
        sms.send_sms("13800138000", "hello")
    assert len(sms.outbox) == 4


@override_settings(SMS_LIMIT_PER_HOUR=1, SMS_LIMIT_PER_DAY=5)
def test_the_hourly_count_starts_again_when_its_window_ends():
    sms.send_sms("13800138000", "hello")
    with pytest.raises(sms.SMSLimitExceeded):
        sms.send_sms("13800138000", "hello")
    cache.delete(sms._counter_key("13800138000", "hour"))  # the hour has passed
    sms.send_sms("13800138000", "hello")
    assert len(sms.outbox) == 2


def test_the_cache_holds_no_mobile_numbers():
    sms.send_sms("13800138000", "hello")
    key = sms._counter_key("13800138000", "hour")
    assert "13800138000" not in key
    assert cache.get(key) == 1


@pytest.mark.django_db
@override_settings(SMS_LIMIT_PER_HOUR=3, SMS_LIMIT_PER_DAY=10, ACCOUNT_RATE_LIMITS=SPREAD_OUT)
def test_repeated_phone_sign_ups_stop_sending_codes_at_the_cap():
    for _n in range(3):
        response = Client().post("/accounts/signup/", {"phone": "13800138000"})
        assert response.status_code == 302
    assert len(sms.outbox) == 3
    response = Client().post("/accounts/signup/", {"phone": "13800138000"})
    assert response.status_code == 200
    assert CAP_MESSAGE in response.content.decode()
    assert len(sms.outbox) == 3


@pytest.mark.django_db
@override_settings(SMS_LIMIT_PER_HOUR=2, SMS_LIMIT_PER_DAY=10, ACCOUNT_RATE_LIMITS=SPREAD_OUT)
def test_log_in_codes_stop_at_the_cap_on_both_log_in_pages():
    UserFactory(phone="13912345678", password=None)
    for _n in range(2):
        Client().post("/accounts/login/code/", {"phone": "13912345678"})
    assert len(sms.outbox) == 2
    response = Client().post("/accounts/login/code/", {"phone": "13912345678"})
    assert response.status_code == 200
    assert CAP_MESSAGE in response.content.decode()
    response = Client().post("/accounts/login/", {"login": "13912345678", "password": ""})
    assert response.status_code == 200
    assert CAP_MESSAGE in response.content.decode()
    assert len(sms.outbox) == 2


@pytest.mark.django_db
@override_settings(SMS_LIMIT_PER_HOUR=1, SMS_LIMIT_PER_DAY=10, ACCOUNT_RATE_LIMITS=SPREAD_OUT)
def test_a_code_refused_by_the_cap_inside_a_flow_gives_the_429_page(client, monkeypatch):
    # The form's early answer is skipped (say another process sent the last message in
    # between): send_sms itself refuses, and the visitor gets the Chinese 429 page.
    monkeypatch.setattr(sms, "quota_left", lambda phone: True)
    monkeypatch.setattr("portal.accounts.forms.quota_left", lambda phone: True)
    Client().post("/accounts/signup/", {"phone": "13800138000"})
    assert client.post("/accounts/signup/", {"phone": "13800138001"}).status_code == 302
    assert len(sms.outbox) == 2
    response = Client().post("/accounts/signup/", {"phone": "13800138000"})
    assert response.status_code == 429
    assert CAP_MESSAGE in response.content.decode()
    assert len(sms.outbox) == 2


@pytest.mark.django_db
def test_a_phone_sign_up_repeated_within_the_code_window_gives_a_chinese_429_page():
    assert Client().post("/accounts/signup/", {"phone": "13800138000"}).status_code == 302
    response = Client().post("/accounts/signup/", {"phone": "13800138000"})
    assert response.status_code == 429
    assert "尝试次数太多" in response.content.decode()
    assert len(sms.outbox) == 1


@pytest.mark.django_db
@override_settings(SMS_LIMIT_PER_HOUR=1, SMS_LIMIT_PER_DAY=10)
def test_a_notification_over_the_cap_is_dropped_with_a_log_line(caplog):
    user = UserFactory(phone="13912345678", email="li@example.org")
    sms.send_sms(user.phone, "an earlier code")
    with caplog.at_level(logging.WARNING, logger="portal.notify"):
        deliver.call(user.pk, "volunteers/notify/verified", {})
    assert len(sms.outbox) == 1
    assert len(mail.outbox) == 1  # the mail still goes
    assert "dropped" in caplog.text and "13912345678" not in caplog.text
