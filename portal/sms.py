"""Text messages go through one adapter. The backend is chosen by settings.SMS_BACKEND:

- ConsoleBackend (development): writes each message to the log. Never in production: the
  messages carry log-in codes (the deploy check portal.E101 refuses it).
- LocmemBackend (tests): keeps messages in `portal.sms.outbox`, like Django's mail outbox.
- HttpBackend (production): posts JSON to the gateway at SMS_API_URL with SMS_API_KEY.

Every message, a log-in code or a notification, is counted against its number first
(SMS_LIMIT_PER_HOUR, SMS_LIMIT_PER_DAY): over the cap nothing is sent and SMSLimitExceeded is
raised. The counts live in the cache, which is Redis in production, so they hold across every
web process and worker.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

logger = logging.getLogger("portal.sms")

outbox = []


class SMSLimitExceeded(Exception):
    """Too many messages to one number; the message is translated and shown to the user."""

    def __init__(self, message=None):
        super().__init__(
            message
            or _(
                "Too many text messages have been sent to this mobile number recently. "
                "Please try again later."
            )
        )


@dataclass
class Message:
    phone: str
    text: str


class ConsoleBackend:
    @sensitive_variables("message")
    def send(self, message):
        logger.info("SMS to %s: %s", message.phone, message.text)


class LocmemBackend:
    def send(self, message):
        outbox.append(message)


class HttpBackend:
    timeout = 10

    @sensitive_variables("message", "body", "request")
    def send(self, message):
        body = json.dumps(
            {"phone": message.phone, "text": message.text, "sign": settings.SMS_SIGN_NAME}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own setting
            settings.SMS_API_URL,
            data=body,
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_API_KEY}",
            },
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise OSError(f"SMS gateway answered {response.status}")


def get_backend():
    return import_string(settings.SMS_BACKEND)()


# (window name, seconds, setting holding the cap)
WINDOWS = (("hour", 60 * 60, "SMS_LIMIT_PER_HOUR"), ("day", 24 * 60 * 60, "SMS_LIMIT_PER_DAY"))


def _counter_key(phone, window):
    # A keyed hash, so the cache holds no mobile numbers.
    digest = salted_hmac("portal.sms.limit", phone).hexdigest()[:32]
    return f"sms-limit:{window}:{digest}"


def _count(key, seconds):
    """Add one to the counter at `key`, which lives `seconds` from its first hit; atomic in
    Redis (INCR) and in local memory (under its lock), so concurrent sends cannot slip past."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return 1


def consume_quota(phone):
    """Count one message to `phone`; raises SMSLimitExceeded (and counts nothing more) when
    the hourly or daily cap is reached."""
    for window, seconds, setting in WINDOWS:
        limit = getattr(settings, setting)
        if _count(_counter_key(phone, window), seconds) > limit:
            logger.warning("SMS cap per %s reached for %s", window, mask_phone(phone))
            raise SMSLimitExceeded


def quota_left(phone):
    """Whether one more message to `phone` is within the caps (a read, for forms that want to
    answer before starting a flow; send_sms still decides)."""
    for window, _seconds, setting in WINDOWS:
        if (cache.get(_counter_key(phone, window)) or 0) >= getattr(settings, setting):
            return False
    return True


def mask_phone(phone):
    phone = str(phone or "")
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


@sensitive_variables("text", "message")
def send_sms(phone, text):
    """Send one text message; the sign name is added the way Chinese gateways expect.
    Raises SMSLimitExceeded, sending nothing, when the number has had its share."""
    consume_quota(phone)
    message = Message(phone=phone, text=f"【{settings.SMS_SIGN_NAME}】{text}")
    get_backend().send(message)
    return message
