"""Messages to the volunteers one leads, and the push of an urgent notice.

An *audience* is a kind plus a key ("community", 12): AUDIENCES maps each kind to how it is
offered to a sender and who is in it. Only the community audience exists here (for the
community's staff); volunteers.team_hooks adds "team" and "project" with `register_audience(...)`
(offered to the community's staff and to the team's leaders, through portal.scoping), and every
other rule below (filters, opt-out, limits, records, delivery) applies to them as is.

- Filters: skills (any of them), on duty this week (a place held on a shift this Beijing week).
- Opt-out: volunteers who chose "only urgent messages" (VolunteerProfile.messages_opt_out) get
  urgent ones only; every non-urgent SMS carries the link to opt out.
- Limit: VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY recipients per sender per Beijing day, counted
  under a lock on the sender's row, so two sends at once cannot pass it together. An urgent
  notice's push is not counted.
- Record: a MessageBatch and one MessageRecipient per person (who got what), seen by the
  staff of its community (portal.scoping) and by the person on their own page.
- Delivery: the background task `deliver_batch(batch_id)`, enqueued on commit; each recipient
  is claimed (pending -> sent) by a conditional UPDATE before the SMS goes out, so running the
  task twice never texts anyone twice. A number over portal.sms's cap is marked dropped.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from portal import audit, roles, tokens
from portal.links import site_url
from portal.models import Community
from portal.scoping import communities_for
from portal.sms import SMSLimitExceeded, mask_phone, send_sms

from ..models import MessageBatch, MessageRecipient, Signup, VolunteerProfile
from .base import VolunteerError

logger = logging.getLogger(__name__)

OPT_OUT_SIGNING_KIND = "volunteers.messages_opt_out"
MAX_TEXT = 300


class MessageError(VolunteerError):
    pass


@dataclass(frozen=True)
class Audience:
    """How one kind of audience works: `choices(user)` -> [(key, label)] the user may write
    to; `members(key)` -> VolunteerProfile queryset; `community(key)` -> the Community whose
    staff see the record (None for a subdistrict team's); `team(key)` -> the Team whose
    leaders see it, or None."""

    label: str
    choices: object
    members: object
    community: object
    team: object = None


AUDIENCES = {}


def register_audience(kind, label, *, choices, members, community, team=None):
    """The hook for teams and projects (volunteers.team_hooks): add an audience kind."""
    AUDIENCES[kind] = Audience(label, choices, members, community, team)


def _community_choices(user):
    return [(c.pk, c.name) for c in communities_for(user).order_by("name")]


register_audience(
    "community",
    _("Community"),
    choices=_community_choices,
    members=lambda key: VolunteerProfile.objects.filter(community_id=key),
    community=lambda key: Community.objects.get(pk=key),
)


def audience_choices(user):
    """[("community:12", "民岳家园社区"), ...]: every audience `user` may write to."""
    return [
        (f"{kind}:{key}", f"{label}" if kind == "community" else f"{audience.label}: {label}")
        for kind, audience in AUDIENCES.items()
        for key, label in audience.choices(user)
    ]


def parse_audience(user, value):
    """(kind, key, label) of an audience `user` may write to; MessageError otherwise."""
    kind, _sep, key = str(value or "").partition(":")
    audience = AUDIENCES.get(kind)
    if audience is not None and key.isdigit():
        for choice, label in audience.choices(user):
            if choice == int(key):
                return kind, int(key), str(label)
    raise MessageError(_("Choose who the message is for."), code="audience")


def week_bounds(now=None):
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    start = timezone.make_aware(datetime.combine(monday, time.min))
    return start, start + timedelta(days=7)


def recipients(kind, key, *, skills=(), on_duty_week=False, urgent=False):
    """The verified volunteers of the audience who can be reached, after the filters and,
    unless urgent, without those who asked for urgent messages only."""
    people = (
        AUDIENCES[kind]
        .members(key)
        .filter(status=VolunteerProfile.Status.VERIFIED, user__isnull=False, user__is_active=True)
    )
    if skills:
        people = people.filter(skills__in=list(skills))
    if on_duty_week:
        start, end = week_bounds()
        duty = Signup.objects.holding().filter(
            profile=OuterRef("pk"),
            shift__start__lt=end,
            shift__end__gt=start,
            shift__cancelled_at__isnull=True,
        )
        people = people.filter(Exists(duty))
    if not urgent:
        people = people.filter(messages_opt_out=False)
    return people.distinct()


def sent_today(sender):
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    return (
        MessageBatch.objects.filter(sender=sender, created_at__gte=start, notice__isnull=True)
        .aggregate(n=Sum("recipient_count"))
        .get("n")
        or 0
    )


def preview(sender, audience, *, skills=(), on_duty_week=False, urgent=False):
    """How many people the message would reach, and how many the sender has left today."""
    kind, key, _label = parse_audience(sender, audience)
    count = recipients(kind, key, skills=skills, on_duty_week=on_duty_week, urgent=urgent).count()
    left = max(settings.VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY - sent_today(sender), 0)
    return {"count": count, "left_today": left}


def send_message(
    sender, audience, text, *, channel="sms", skills=(), on_duty_week=False, urgent=False
):
    """Record the message and its recipients; the SMS go out after commit (deliver_batch)."""
    text = (text or "").strip()
    if not text:
        raise MessageError(_("Write the message."), code="text")
    if len(text) > MAX_TEXT:
        raise MessageError(
            _("A message has at most %(n)s characters.") % {"n": MAX_TEXT}, code="text"
        )
    if channel not in MessageBatch.Channel.values:
        raise MessageError(_("Choose how to send it."), code="channel")
    if not sender.has_perm("volunteers.add_messagebatch"):
        raise PermissionDenied
    kind, key, label = parse_audience(sender, audience)
    skill_ids = sorted({int(getattr(s, "pk", s)) for s in skills})
    with transaction.atomic():
        # one sender's sends are serialised here, so the daily limit holds under concurrency
        get_user_model().objects.select_for_update().filter(pk=sender.pk).first()
        people = list(
            recipients(
                kind, key, skills=skill_ids, on_duty_week=on_duty_week, urgent=urgent
            ).values_list("pk", flat=True)
        )
        if not people:
            raise MessageError(_("Nobody matches: no message was sent."), code="empty")
        limit = settings.VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY
        left = limit - sent_today(sender)
        if len(people) > left:
            raise MessageError(
                _(
                    "This message would reach %(count)s people, but you can write to only "
                    "%(left)s more today (%(limit)s a day). Narrow the audience or send tomorrow."
                )
                % {"count": len(people), "left": max(left, 0), "limit": limit},
                code="limit",
            )
        audience_kind = AUDIENCES[kind]
        batch = MessageBatch.objects.create(
            community=audience_kind.community(key),
            team=audience_kind.team(key) if audience_kind.team else None,
            sender=sender,
            audience=kind,
            audience_key=key,
            audience_label=label,
            filters={"skills": skill_ids, "on_duty_week": bool(on_duty_week)},
            channel=channel,
            urgent=urgent,
            text=text,
            recipient_count=len(people),
        )
        MessageRecipient.objects.bulk_create(
            [MessageRecipient(batch=batch, profile_id=pk) for pk in people]
        )
        audit.record(
            "volunteers.message.send",
            user=sender,
            obj=batch,
            batch=batch.pk,
            recipients=len(people),
            channel=channel,
            urgent=urgent,
        )
        transaction.on_commit(lambda: deliver_batch.enqueue(batch.pk))
    return batch


def opt_out_token(profile):
    return tokens.sign(OPT_OUT_SIGNING_KIND, profile.pk)


def profile_from_opt_out_token(token):
    try:
        pk = tokens.verify(OPT_OUT_SIGNING_KIND, token)
    except tokens.InvalidToken:
        return None
    return VolunteerProfile.objects.filter(pk=pk).first() if isinstance(pk, int) else None


def set_opt_out(profile, opt_out):
    VolunteerProfile.objects.filter(pk=profile.pk).update(messages_opt_out=bool(opt_out))
    profile.messages_opt_out = bool(opt_out)
    return profile


def sms_text(batch, profile):
    text = f"{batch.sender_name}：{batch.text}"
    if not batch.urgent:
        link = site_url("volunteers:messages_opt_out", opt_out_token(profile))
        text += " " + str(_("Only urgent messages: %(link)s") % {"link": link})
    return text


@task()
def deliver_batch(batch_id):
    """Send a batch's texts. Safe to run twice: each recipient is claimed once."""
    batch = MessageBatch.objects.select_related("community", "team").filter(pk=batch_id).first()
    if batch is None:
        return 0
    sent = 0
    pending = MessageRecipient.objects.filter(
        batch=batch, status=MessageRecipient.Status.PENDING
    ).select_related("profile__user")
    for recipient in pending.iterator():
        now = timezone.now()
        final = (
            MessageRecipient.Status.SENT
            if batch.channel == MessageBatch.Channel.SMS
            else MessageRecipient.Status.SITE
        )
        claimed = MessageRecipient.objects.filter(
            pk=recipient.pk, status=MessageRecipient.Status.PENDING
        ).update(status=final, sent_at=now)
        if not claimed or final != MessageRecipient.Status.SENT:
            continue
        user = recipient.profile.user
        phone = (user.phone if user else "") or recipient.profile.mobile
        if not phone:
            continue
        with translation.override(getattr(user, "language", None) or "zh-hans"):
            text = sms_text(batch, recipient.profile)
        try:
            send_sms(phone, text)
            sent += 1
        except SMSLimitExceeded:
            MessageRecipient.objects.filter(pk=recipient.pk).update(
                status=MessageRecipient.Status.DROPPED
            )
            logger.warning(
                "Message %s to %s dropped: over the per-number cap", batch.pk, mask_phone(phone)
            )
    return sent


def may_push_notices(user):
    """Only a community's staff push a notice to its volunteers (a team leader may not)."""
    return roles.has_role(user, *roles.STAFF_ROLES)


def push_urgent_notice(notice, by):
    """Send an urgent, published notice once to the volunteers of its communities (all the
    pusher's communities when it targets everyone). Pushing again sends nothing new.
    Returns the batches made this time."""
    # a team leader writes to their teams, not to communities
    if not by.has_perm("volunteers.add_messagebatch") or not may_push_notices(by):
        raise PermissionDenied
    if not (notice.live and notice.urgent):
        raise MessageError(
            _("Only a published urgent notice can be pushed to volunteers."), code="notice"
        )
    mine = communities_for(by)
    targets = list(notice.target_communities.all()) or list(mine)
    allowed = set(mine.values_list("pk", flat=True))
    made = []
    for community in targets:
        if community.pk not in allowed:
            continue
        try:
            with transaction.atomic():
                people = list(
                    recipients("community", community.pk, urgent=True).values_list("pk", flat=True)
                )
                batch = MessageBatch.objects.create(
                    community=community,
                    sender=by,
                    audience="community",
                    audience_key=community.pk,
                    audience_label=community.name,
                    channel=MessageBatch.Channel.SMS,
                    urgent=True,
                    text=f"{notice.title} {notice.full_url or ''}".strip()[:MAX_TEXT],
                    notice=notice,
                    recipient_count=len(people),
                )
                MessageRecipient.objects.bulk_create(
                    [MessageRecipient(batch=batch, profile_id=pk) for pk in people]
                )
                audit.record(
                    "volunteers.message.urgent_push",
                    user=by,
                    obj=batch,
                    batch=batch.pk,
                    notice=notice.pk,
                    recipients=len(people),
                )
                transaction.on_commit(lambda pk=batch.pk: deliver_batch.enqueue(pk))
        except IntegrityError:
            continue  # pushed to this community already
        made.append(batch)
    return made


def pushed_communities(notice):
    return set(MessageBatch.objects.filter(notice=notice).values_list("community__name", flat=True))


def delete_old_recipients(now=None):
    """Retention: who got which message goes after VOLUNTEERS_MESSAGE_RETENTION_DAYS (the
    batch and its counts stay). Idempotent."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.VOLUNTEERS_MESSAGE_RETENTION_DAYS)
    deleted, _detail = MessageRecipient.objects.filter(batch__created_at__lt=cutoff).delete()
    return deleted
