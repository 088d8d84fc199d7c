"""Tell a person something, by email and SMS, in their own language.

`notify(user, "volunteers/notify/verified", context)` renders
`<name>_subject.txt`, `<name>_body.txt` and (for SMS) `<name>_sms.txt` under the user's
language and sends them in a background task enqueued after the transaction commits. Missing
templates skip that channel. An SMS over the per-number cap (portal.sms) is dropped with a
log line.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django_tasks import task

from portal.sms import SMSLimitExceeded, mask_phone, send_sms

logger = logging.getLogger("portal.notify")


def _render(name, context):
    """A plain-text message (mail body, SMS): nothing in it is HTML-escaped, so a reason typed
    as "A&B" reads "A&B", not "A&amp;B"."""
    try:
        template = get_template(name)
    except TemplateDoesNotExist:
        return ""
    return template.template.render(Context(context, autoescape=False)).strip()


def render_message(user, template_prefix, context):
    with translation.override(user.language or "zh-hans"):
        context = {"user": user, **context}
        return {
            "subject": _render(f"{template_prefix}_subject.txt", context),
            "body": _render(f"{template_prefix}_body.txt", context),
            "sms": _render(f"{template_prefix}_sms.txt", context),
        }


@task()
def deliver(user_id, template_prefix, context):
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.is_active:
        return
    message = render_message(user, template_prefix, context)
    if user.email and message["subject"] and message["body"]:
        send_mail(message["subject"], message["body"], None, [user.email])
    if user.phone and message["sms"]:
        try:
            send_sms(user.phone, message["sms"])
        except SMSLimitExceeded:
            # Dropped, not retried: the number has had its share of messages for now, and
            # the same news is on the site (and in the mail, when there is an address).
            logger.warning(
                "SMS %s to user %s (%s) dropped: over the per-number cap",
                template_prefix,
                user.pk,
                mask_phone(user.phone),
            )


def notify(user, template_prefix, context=None):
    """Queue the message once the current transaction commits. `context` must be JSON-safe
    (ids, strings, numbers), since background workers receive it serialised."""
    context = dict(context or {})
    transaction.on_commit(lambda: deliver.enqueue(user.pk, template_prefix, context))
