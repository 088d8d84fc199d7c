"""Errors are seen: production logs django.request, django.security, the security events of
log-ins and codes, and the audit events as one JSON object per line, and never a code."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from portal import roles
from portal.jsonlog import JsonFormatter
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
from tests.portal.test_settings import GOOD_KEYS  # noqa: E402

GOOD_SECRET = "x" * 20 + "a-long-random-production-secret-key-for-tests-0123456789"


def _record(logger, level, message, *args, exc_info=None, **extra):
    return logging.getLogger(logger).makeRecord(
        logger, level, __file__, 1, message, args, exc_info, extra=extra
    )


def test_a_request_error_becomes_one_json_line_with_path_user_and_traceback(db):
    user = make_user(roles.COORDINATOR, username="coord")
    request = RequestFactory().post("/admin/volunteering/?token=secret", {"code": "123456"})
    request.user = user
    try:
        raise ZeroDivisionError("boom")
    except ZeroDivisionError:
        record = _record(
            "django.request",
            logging.ERROR,
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            status_code=500,
            request=request,
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /admin/volunteering/"
    assert entry["path"] == "/admin/volunteering/" and entry["method"] == "POST"
    assert entry["user"] == user.pk and entry["status"] == 500
    assert "ZeroDivisionError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")
    # Neither the query string nor the posted form reaches the log.
    assert "secret" not in line and "123456" not in line


def test_audit_and_security_fields_are_kept():
    record = _record(
        "portal.audit",
        logging.INFO,
        "audit %s",
        "export.personal_data",
        audit_action="export.personal_data",
        audit_user=7,
        audit_communities=[1, 2],
        unrelated="left out",
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["audit_action"] == "export.personal_data" and entry["audit_user"] == 7
    assert entry["audit_communities"] == [1, 2] and "unrelated" not in entry


def test_production_logs_json_lines_and_never_an_sms_code():
    code = (
        "import logging, os, django\n"
        "django.setup()\n"
        "from django.contrib.auth.models import AnonymousUser\n"
        "from django.test import RequestFactory\n"
        "from portal.sms import ConsoleBackend, Message\n"
        "r = RequestFactory().get('/admin/x/', HTTP_HOST='portal.example.gov.cn')\n"
        "r.user = AnonymousUser()\n"
        "logging.getLogger('django.request').error('Internal Server Error: %s', r.path,"
        " extra={'status_code': 500, 'request': r})\n"
        "logging.getLogger('django.security.csrf').warning('Forbidden (CSRF): %s', r.path,"
        " extra={'status_code': 403, 'request': r})\n"
        "logging.getLogger('portal.audit').info('audit export',"
        " extra={'audit_action': 'export.personal_data'})\n"
        "logging.getLogger('portal.security').warning('security login_failed',"
        " extra={'security_event': 'login_failed', 'request': r})\n"
        "ConsoleBackend().send(Message(phone='13800000000', text='您的验证码是 654321'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "LOG_FORMAT"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=GOOD_SECRET,
        **GOOD_KEYS,
        ALLOWED_HOSTS="portal.example.gov.cn",
        SITE_URL="https://portal.example.gov.cn",
        REDIS_URL="redis://127.0.0.1:6379/0",
        SMS_BACKEND="portal.sms.HttpBackend",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    by_logger = {entry["logger"]: entry for entry in lines}
    assert by_logger["django.request"]["status"] == 500
    assert by_logger["django.request"]["path"] == "/admin/x/"
    assert by_logger["django.security.csrf"]["level"] == "WARNING"
    assert by_logger["portal.audit"]["audit_action"] == "export.personal_data"
    assert by_logger["portal.security"]["security_event"] == "login_failed"
    assert "654321" not in result.stderr + result.stdout


# --- Security events -------------------------------------------------------------------------


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def security_log():
    handler = ListHandler()
    logger = logging.getLogger("portal.security")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def _events(records):
    return [r.security_event for r in records]


def test_failed_logins_wrong_codes_and_rate_limits_are_logged(client, settings, db, security_log):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    make_user(username="zhao", email="zhao@example.org", phone="13911112222")
    meta = {"HTTP_X_FORWARDED_FOR": "203.0.113.50"}
    for _attempt in range(6):  # login_failed allows 5 in 5 minutes per account
        client.post(
            "/accounts/login/", {"login": "zhao@example.org", "password": "wrong-1"}, **meta
        )
    events = _events(security_log)
    assert events.count("login_failed") >= 5 and "rate_limited" in events
    failed = next(r for r in security_log if r.security_event == "login_failed")
    assert failed.security_ip == "203.0.113.50" and failed.levelno == logging.WARNING
    assert not any("wrong-1" in str(r.__dict__) for r in security_log)

    security_log.clear()
    client.post("/accounts/login/", {"login": "139 1111 2222"}, **meta)  # a code by SMS
    client.post("/accounts/login/code/confirm/", {"code": "000000"}, **meta)
    assert "code_rejected" in _events(security_log)
    assert not any("000000" in str(r.__dict__) for r in security_log)


def test_a_login_is_logged_with_the_user(client, db, security_log):
    user = make_user(username="li", email="li@example.org")
    client.force_login(user)  # force_login sends Django's user_logged_in, not allauth's
    client.post("/accounts/logout/")
    (logout,) = [r for r in security_log if r.security_event == "logout"]
    assert logout.security_user == user.pk and logout.levelno == logging.INFO
