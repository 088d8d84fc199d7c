"""Journey 1 through the public pages."""

import io
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from portal import tokens
from tests.factories import (
    ShiftFactory,
    SkillFactory,
    TaskFactory,
    UserFactory,
    VolunteerProfileFactory,
)
from volunteers import services, views
from volunteers.models import Attendance, Signup, Task, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_join_page_is_set_to_the_community_with_one_button(client, community, shift):
    response = client.get(f"/volunteers/join/{community.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "民岳家园社区志愿者招募" in html
    assert "我要报名" in html
    assert re.search(r'class="v-big-number">2<', html)  # places open this week
    assert "卡口值守" in html


def test_join_form_sends_a_visitor_through_sign_up_and_back(client, community):
    response = client.get(f"/volunteers/join/{community.slug}/form/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_signup"))
    assert f"next=/volunteers/join/{community.slug}/form/" in response["Location"]


def form_data(community, compound, **extra):
    data = {
        "real_name": "王小明",
        "mobile": "139 1111 2222",
        "community": community.pk,
        "compound": compound.pk,
        "skills": [SkillFactory(name="驾驶", code="driving").pk],
        "availability": ["0-morning", "5-afternoon"],
        "consent": "on",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "id_number": "",
        "work_unit": "",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_profile_form_shows_errors_next_to_fields_and_saves_nothing(client, community, compound):
    client.force_login(UserFactory(phone=None))
    url = f"/volunteers/join/{community.slug}/form/"
    response = client.post(
        url,
        form_data(
            community, compound, real_name="", consent=None, is_party_member="on", id_number="123"
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not VolunteerProfile.objects.exists()
    for message in [
        "此项必填。",
        "请同意个人信息的使用说明。",
        "请填写您的工作单位。",
        "身份证号码应为18位",
    ]:
        assert message in html
    # The error sits inside the field's block, right after its input.
    assert re.search(r'id="id_work_unit".*?errorlist.*?请填写您的工作单位', html, re.S)


def test_profile_form_submits_and_lands_on_submitted(client, community, compound):
    user = UserFactory(phone=None)
    client.force_login(user)
    response = client.post(
        f"/volunteers/join/{community.slug}/form/", form_data(community, compound)
    )
    assert response.status_code == 302 and response["Location"] == "/volunteers/submitted/"
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.status == "pending" and profile.mobile == "13911112222"
    assert profile.availability == {"0": [["07:00", "12:00"]], "5": [["12:00", "19:00"]]}
    page = client.get("/volunteers/submitted/").content.decode()
    assert "民岳家园社区会尽快审核" in page


def test_open_shifts_show_own_compound_first_then_others(client, volunteer, shift, other_shift):
    elsewhere = ShiftFactory(
        task=TaskFactory(community=volunteer.community), start=shift.start - timedelta(hours=12)
    )
    client.force_login(volunteer.user)
    html = client.get("/volunteers/shifts/").content.decode()
    first = html.index(f"/volunteers/shifts/{shift.pk}/")
    assert first < html.index(f"/volunteers/shifts/{elsewhere.pk}/")
    assert html.index(f"/volunteers/shifts/{elsewhere.pk}/") < html.index(
        f"/volunteers/shifts/{other_shift.pk}/"
    )
    assert "北门 " in html and "剩余 2 个名额（共 2 个）" in html
    filtered = client.get("/volunteers/shifts/", {"kind": Task.Kind.DELIVERY}).content.decode()
    assert f"/volunteers/shifts/{shift.pk}/" not in filtered


def test_the_list_marks_a_shift_that_clashes_with_one_she_holds(client, volunteer, shift):
    from volunteers import services

    services.sign_up(volunteer, shift)
    same_time = ShiftFactory(
        task=TaskFactory(community=volunteer.community), start=shift.start, end=shift.end
    )
    later = ShiftFactory(
        task=TaskFactory(community=volunteer.community),
        start=shift.end + timedelta(hours=1),
        end=shift.end + timedelta(hours=3),
    )
    client.force_login(volunteer.user)
    html = client.get("/volunteers/shifts/").content.decode()
    # the clashing one says so instead of offering a "take it" that can only fail
    assert html.count("与您已报名的班次时间冲突") == 1
    assert f'href="/volunteers/shifts/{same_time.pk}/"' not in html
    assert f'href="/volunteers/shifts/{later.pk}/"' in html


def test_sign_up_is_post_only_and_double_tap_safe(client, volunteer, shift):
    client.force_login(volunteer.user)
    url = f"/volunteers/shifts/{shift.pk}/sign-up/"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    response = client.post(url, follow=True)
    assert "报名成功" in response.content.decode()
    assert Signup.objects.filter(shift=shift).count() == 1
    shift.refresh_from_db()
    assert shift.taken == 1


def test_full_shift_shows_the_full_message(client, volunteer, shift, community):
    for profile in VolunteerProfileFactory.create_batch(2, community=community):
        services.sign_up(profile, shift)
    client.force_login(volunteer.user)
    response = client.post(f"/volunteers/shifts/{shift.pk}/sign-up/", follow=True)
    assert response.status_code == 200
    assert "这个班次已满" in response.content.decode()


def test_withdraw_and_my_page(client, volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    client.force_login(volunteer.user)
    page = client.get("/volunteers/me/").content.decode()
    assert f"/volunteers/signups/{signup.pk}/withdraw/" in page
    client.post(f"/volunteers/signups/{signup.pk}/withdraw/")
    assert Signup.objects.get(pk=signup.pk).status == "withdrawn"


def test_my_page_counts_hours_and_calendar_feed(client, volunteer, gate_task):
    start = timezone.now() - timedelta(hours=6)
    past = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5))
    signup = Signup.objects.create(shift=past, profile=volunteer, status="confirmed")
    Attendance.objects.create(
        signup=signup, check_in_at=past.start, check_out_at=past.end, status="confirmed"
    )
    upcoming = ShiftFactory(task=gate_task)
    services.sign_up(volunteer, upcoming)
    client.force_login(volunteer.user)
    page = client.get("/volunteers/me/").content.decode()
    assert page.count(">5.0<") == 2  # this month and in total
    feed = client.get(f"/volunteers/calendar/{volunteer.calendar_token}.ics")
    assert feed["Content-Type"].startswith("text/calendar")
    body = feed.content.decode()
    assert body.count("BEGIN:VEVENT") == 2 and "北门值守" in body
    assert client.get("/volunteers/calendar/not-the-token.ics").status_code == 404


def test_post_qr_check_in_and_out(client, volunteer, post, gate_task):
    start = timezone.now() + timedelta(minutes=5)
    shift = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=5))
    services.sign_up(volunteer, shift)
    url = f"/volunteers/checkin/{views.post_token(post)}/"
    assert client.get(url).status_code == 302  # log in first
    client.force_login(volunteer.user)
    page = client.get(url).content.decode()
    assert "签到" in page and "北门值守" in page
    html = client.post(url, {"action": "in"}).content.decode()
    assert "已签到" in html
    assert Attendance.objects.get().check_in_at is not None
    html = client.post(url, {"action": "out", "confirmed": "1"}).content.decode()
    assert "已签退" in html
    assert client.get(f"/volunteers/checkin/{views.post_token(post)}x/").status_code == 404


def test_certificate_pdf_and_its_verification(client, volunteer, shift):
    signup = services.sign_up(volunteer, shift)
    Attendance.objects.create(
        signup=signup, check_in_at=shift.start, check_out_at=shift.end, status="confirmed"
    )
    first, last = services.month_bounds(timezone.localtime(shift.start).date())
    client.force_login(volunteer.user)
    assert (
        client.get("/volunteers/me/certificate/", {"start": first, "end": last}).status_code == 405
    )
    assert not volunteer.certificates.exists()  # a GET never issues a certificate
    response = client.post("/volunteers/me/certificate/", {"start": first, "end": last})
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    compact = re.sub(r"\s+", "", text)
    assert "李晓红" in compact and "5.0" in compact and "志愿服务时长证明" in compact
    certificate = volunteer.certificates.get()
    token = tokens.sign(views.CERTIFICATE_SIGNING_KIND, certificate.serial)
    client.logout()
    page = client.get(f"/volunteers/certificates/verify/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "此证明真实有效" in html
    assert "李**" in html and "李晓红" not in html and volunteer.mobile not in html
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad = client.get(f"/volunteers/certificates/verify/{tampered}/")
    assert bad.status_code == 404 and "无法验证此证明" in bad.content.decode()
    forged = tokens.sign("donations.receipt", certificate.serial)
    assert client.get(f"/volunteers/certificates/verify/{forged}/").status_code == 404


def test_delete_account_logs_out_and_anonymises(client, volunteer):
    client.force_login(volunteer.user)
    client.post("/volunteers/me/delete/", {"confirm": "yes"})
    volunteer.refresh_from_db()
    assert volunteer.user is None and volunteer.real_name == services.ANONYMOUS_NAME
    assert client.get("/volunteers/me/").status_code == 302


def test_pages_speak_english_under_en(client, community):
    html = client.get(f"/en/volunteers/join/{community.slug}/").content.decode()
    assert "Sign me up" in html and "places open this week" in html


def test_own_profile_form_never_shows_the_id_number_in_full(client, volunteer):
    from portal.validators import id_number_check_char

    first17 = "11010519491231002"
    valid = first17 + id_number_check_char(first17)
    VolunteerProfile.objects.filter(pk=volunteer.pk).update(id_number=valid)
    client.force_login(volunteer.user)
    html = client.get("/volunteers/profile/").content.decode()
    assert valid not in html and "110***********" in html
    data = {
        "real_name": "李晓红",
        "mobile": volunteer.mobile,
        "community": volunteer.community_id,
        "compound": volunteer.compound_id,
        "id_number": "",
        "work_unit": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
    }
    assert client.post("/volunteers/profile/", data).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.id_number == valid and volunteer.status == "verified"
