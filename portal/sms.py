"""Text messages go through one adapter. The backend is chosen by settings.SMS_BACKEND:

- ConsoleBackend (development): writes each message to the log.
- LocmemBackend (tests): keeps messages in `portal.sms.outbox`, like Django's mail outbox.
- HttpBackend (production): posts JSON to the gateway at SMS_API_URL with SMS_API_KEY.
"""

import json
import logging
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.sms")

outbox = []


@dataclass
class Message:
    phone: str
    text: str


class ConsoleBackend:
    def send(self, message):
        logger.info("SMS to %s: %s", message.phone, message.text)


class LocmemBackend:
    def send(self, message):
        outbox.append(message)


class HttpBackend:
    timeout = 10

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


def send_sms(phone, text):
    """Send one text message; the sign name is added the way Chinese gateways expect."""
    message = Message(phone=phone, text=f"【{settings.SMS_SIGN_NAME}】{text}")
    get_backend().send(message)
    return message
