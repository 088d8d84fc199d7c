"""Messages to the volunteers one leads: audience and filters, preview, daily limit, opt-out,
the record of who got what, delivery safe to run twice, and the urgent notice's push."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import roles, sms
from portal.models import AuditEvent
from portal.retention import apply_retention
from tests.factories import SkillFactory, VolunteerProfileFactory, make_user
from volunteers import services
from volunteers.models import MessageBatch, MessageRecipient
from volunteers.services import messages as service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _deliver_at_once(monkeypatch):
    """Tests run inside a transaction that never commits; deliver at once."""
    monkeypatch.setattr("django.db.transaction.on_commit", lambda fn, using=None: fn())


@pytest.fixture
def coordinator(community):
    return make_user(roles.COORDINATOR, communities=[community], is_staff=True)


@pytest.fixture
def people(community, other_community):
    return {
        "a": VolunteerProfileFactory(community=community, user=make_user(phone="13400000001")),
        "b": VolunteerProfileFactory(community=community, user=make_user(phone="13400000002")),
        "pending": VolunteerProfileFactory(
            community=community, status="pending", user=make_user(phone="13400000003")
        ),
        "elsewhere": VolunteerProfileFactory(
            community=other_community, user=make_user(phone="13400000004")
        ),
    }


def _to(community):
    return f"community:{community.pk}"


def test_a_coordinator_writes_to_their_communitys_verified_volunteers(
    coordinator, community, people
):
    assert service.preview(coordinator, _to(community))["count"] == 2
    batch = service.send_message(coordinator, _to(community), "明早7点北门集合")
    assert batch.recipient_count == 2
    got = {m.phone for m in sms.outbox}
    assert got == {"13400000001", "13400000002"}
    assert all("明早7点北门集合" in m.text for m in sms.outbox)
    assert set(batch.recipients.values_list("status", flat=True)) == {"sent"}
    assert AuditEvent.objects.filter(action="volunteers.message.send").exists()


def test_another_communitys_audience_is_refused(coordinator, other_community, people):
    with pytest.raises(service.MessageError):
        service.send_message(coordinator, _to(other_community), "hi")
    with pytest.raises(service.MessageError):
        service.send_message(coordinator, "team:1", "hi")
    assert not MessageBatch.objects.exists() and not sms.outbox


def test_filters_by_skill_and_duty_this_week(coordinator, community, people, shift):
    skill = SkillFactory()
    people["a"].skills.add(skill)
    assert service.preview(coordinator, _to(community), skills=[skill])["count"] == 1
    assert service.preview(coordinator, _to(community), on_duty_week=True)["count"] == 0
    if shift.start < service.week_bounds()[1]:
        services.sign_up(people["b"], shift)
        assert service.preview(coordinator, _to(community), on_duty_week=True)["count"] == 1


def test_opted_out_volunteers_get_only_urgent_messages(coordinator, community, people):
    service.set_opt_out(people["a"], True)
    service.send_message(coordinator, _to(community), "普通通知")
    assert [m.phone for m in sms.outbox] == ["13400000002"]
    assert "/messages/only-urgent/" in sms.outbox[0].text
    sms.outbox.clear()
    service.send_message(coordinator, _to(community), "紧急", urgent=True)
    assert {m.phone for m in sms.outbox} == {"13400000001", "13400000002"}
    assert all("/messages/only-urgent/" not in m.text for m in sms.outbox)


def test_the_opt_out_link_works_without_logging_in_and_only_on_post(client, people):
    token = service.opt_out_token(people["a"])
    url = reverse("volunteers:messages_opt_out", args=[token])
    assert client.get(url).status_code == 200
    people["a"].refresh_from_db()
    assert not people["a"].messages_opt_out
    client.post(url, {"urgent_only": "1"})
    people["a"].refresh_from_db()
    assert people["a"].messages_opt_out
    bad = reverse("volunteers:messages_opt_out", args=["x" + token])
    assert client.get(bad).status_code == 404


def test_the_daily_limit_per_sender_refuses_and_sends_nothing(
    coordinator, community, people, settings
):
    settings.VOLUNTEERS_MESSAGE_RECIPIENTS_PER_DAY = 3
    service.send_message(coordinator, _to(community), "one")
    assert service.preview(coordinator, _to(community))["left_today"] == 1
    sms.outbox.clear()
    with pytest.raises(service.MessageError) as refused:
        service.send_message(coordinator, _to(community), "two")
    assert refused.value.code == "limit"
    assert MessageBatch.objects.count() == 1 and not sms.outbox


def test_delivery_run_twice_never_texts_anyone_twice(coordinator, community, people):
    batch = service.send_message(coordinator, _to(community), "once")
    assert len(sms.outbox) == 2
    service.deliver_batch.call(batch.pk)
    service.deliver_batch.call(batch.pk)
    assert len(sms.outbox) == 2


def test_a_site_message_shows_on_the_volunteers_page_without_an_sms(
    client, coordinator, community, people
):
    service.send_message(coordinator, _to(community), "请查看本周排班", channel="site")
    assert not sms.outbox
    client.force_login(people["a"].user)
    page = client.get(reverse("volunteers:my_page")).content.decode()
    assert "请查看本周排班" in page


def test_the_record_is_seen_only_in_the_senders_scope(
    client, coordinator, community, other_community, people
):
    batch = service.send_message(coordinator, _to(community), "scoped")
    client.force_login(coordinator)
    detail = client.get(reverse("volunteers_messages:detail", args=[batch.pk]))
    assert detail.status_code == 200
    assert people["a"].real_name in detail.content.decode()
    assert people["a"].mobile not in detail.content.decode()  # masked
    stranger = make_user(roles.COORDINATOR, communities=[other_community], is_staff=True)
    client.force_login(stranger)
    assert client.get(reverse("volunteers_messages:detail", args=[batch.pk])).status_code == 404
    assert "scoped" not in client.get(reverse("volunteers_messages:list")).content.decode()


def test_preview_then_send_in_the_back_office(client, coordinator, community, people):
    client.force_login(coordinator)
    url = reverse("volunteers_messages:compose")
    data = {"audience": _to(community), "channel": "sms", "text": "后台消息"}
    page = client.post(url, {**data, "action": "preview"})
    assert page.status_code == 200
    assert not MessageBatch.objects.exists()
    client.post(url, {**data, "action": "send"})
    assert MessageBatch.objects.get().recipient_count == 2


def test_recipients_go_after_the_retention_period(coordinator, community, people, settings):
    batch = service.send_message(coordinator, _to(community), "old")
    MessageBatch.objects.filter(pk=batch.pk).update(
        created_at=timezone.now() - timedelta(days=settings.VOLUNTEERS_MESSAGE_RETENTION_DAYS + 1)
    )
    assert apply_retention()["message_recipients_deleted"] == 2
    assert MessageBatch.objects.get(pk=batch.pk).recipient_count == 2
    assert not MessageRecipient.objects.exists()


def test_a_registered_audience_kind_is_offered_and_used(coordinator, people, community):
    service.register_audience(
        "test_team",
        "Team",
        choices=lambda user: [(7, "北门突击队")],
        members=lambda key: type(people["a"]).objects.filter(pk=people["a"].pk),
        community=lambda key: community,
    )
    try:
        assert ("test_team:7", "Team: 北门突击队") in service.audience_choices(coordinator)
        batch = service.send_message(coordinator, "test_team:7", "队内通知")
        assert batch.recipient_count == 1 and batch.audience == "test_team"
    finally:
        service.AUDIENCES.pop("test_team")


# --- the urgent notice's push ---


@pytest.fixture
def urgent_notice(community):
    from wagtail.models import Page

    from content.models import NoticePage

    root = Page.get_first_root_node()
    notice = NoticePage(title="紧急通知：全员核酸", urgent=True, date=timezone.localdate())
    root.add_child(instance=notice)
    notice.target_communities.add(community)
    notice.save_revision().publish()
    return notice


def test_an_urgent_notice_is_pushed_once_to_its_communities(
    coordinator, community, people, urgent_notice
):
    service.set_opt_out(people["b"], True)  # urgent reaches them anyway
    made = service.push_urgent_notice(urgent_notice, coordinator)
    assert [b.community for b in made] == [community]
    assert {m.phone for m in sms.outbox} == {"13400000001", "13400000002"}
    assert service.push_urgent_notice(urgent_notice, coordinator) == []
    assert len(sms.outbox) == 2
    assert AuditEvent.objects.filter(action="volunteers.message.urgent_push").count() == 1


def test_a_non_urgent_notice_is_not_pushed(coordinator, urgent_notice):
    urgent_notice.urgent = False
    urgent_notice.save()
    with pytest.raises(service.MessageError):
        service.push_urgent_notice(urgent_notice, coordinator)


def test_the_push_button_shows_on_the_notice_in_the_admin_and_pushes(
    client, urgent_notice, people, community
):
    admin = make_user(roles.SUBDISTRICT_ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[urgent_notice.pk]))
    push = reverse("volunteers_messages:push_notice", args=[urgent_notice.pk])
    assert push in edit.content.decode()
    client.post(push)
    assert MessageBatch.objects.filter(notice=urgent_notice).exists()
