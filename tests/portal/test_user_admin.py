"""Settings -> Users in the Wagtail admin: the mobile number, language and the "number or email"
rule on the add and edit forms, and that an account made there can log in by SMS code."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from portal import roles, sms
from portal.models import User
from portal.users.forms import AccountFieldsMixin, UserCreationForm
from tests.factories import UserFactory, make_user

ADD_URL = "/admin/users/new/"


def edit_url(user):
    return f"/admin/users/edit/{user.pk}/"


def new_account(**overrides):
    data = {
        "username": "wangfang",
        "phone": "+86 138 1234 5678",
        "email": "",
        "last_name": "王",
        "first_name": "芳",
        "language": "zh-hans",
        "password1": "",
        "password2": "",
        "groups": [Group.objects.get(name=roles.COORDINATOR).pk],
    }
    data.update(overrides)
    return data


def edit_data(user, **overrides):
    data = {
        "username": user.username,
        "phone": user.phone or "",
        "email": user.email,
        "last_name": user.last_name or "李",
        "first_name": user.first_name or "娜",
        "language": user.language,
        "password1": "",
        "password2": "",
        "is_active": "on",
        "groups": list(user.groups.values_list("pk", flat=True)),
    }
    data.update(overrides)
    return data


def field_errors(response, name):
    form = response.context["form"]
    return [str(error) for error in form.errors.get(name, [])]


@pytest.fixture
def admin_client(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    return client


# --- Adding an account ---------------------------------------------------------------------


@pytest.mark.django_db
def test_add_user_form_shows_mobile_number_and_language_in_chinese(admin_client):
    response = admin_client.get(ADD_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="phone"' in html and 'type="tel"' in html
    assert 'name="language"' in html and 'value="en"' in html
    assert "手机号" in html
    assert "短信验证码" in html  # the help text says how they will log in
    assert "添加用户" in html and "New:" not in html
    assert "Letters, digits" not in html  # Wagtail's untranslated username help is replaced
    # Neither the password nor the email is required; the number comes before the email.
    form = response.context["form"]
    assert not form.fields["password1"].required
    assert not form.fields["email"].required
    assert html.index('name="phone"') < html.index('name="email"')


@pytest.mark.django_db
def test_subdistrict_admin_adds_a_coordinator_by_mobile_number_without_password(admin_client):
    response = admin_client.post(ADD_URL, new_account())
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(username="wangfang")
    assert user.phone == "13812345678"  # stored as the phone sign-up stores it
    assert not user.phone_verified  # typed by an admin, not proven by the person
    assert user.language == "zh-hans"
    assert user.email == ""
    assert not user.has_usable_password()
    assert user.groups.filter(name=roles.COORDINATOR).exists()


@pytest.mark.django_db
def test_account_made_in_the_admin_logs_in_by_sms_code_and_the_number_becomes_verified(
    admin_client,
):
    admin_client.post(ADD_URL, new_account())
    person = Client()
    response = person.post("/accounts/login/?next=/admin/", {"login": "138 1234 5678"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/code/confirm/")
    assert [message.phone for message in sms.outbox] == ["13812345678"]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.outbox[-1].text).group(1)

    response = person.post("/accounts/login/code/confirm/", {"code": code, "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    user = User.objects.get(username="wangfang")
    assert int(person.session["_auth_user_id"]) == user.pk
    assert user.phone_verified
    # a coordinator reaches the back office once they have set up a second factor
    # (tests/portal/test_mfa.py)
    assert person.get("/admin/")["Location"].startswith("/accounts/2fa/totp/activate/")


@pytest.mark.django_db
def test_a_password_log_in_still_asks_for_the_sms_code_of_an_unverified_number(admin_client):
    # The admin gave a password too: the number typed in by the admin is proven all the same.
    password = "Zhufang-2022!"
    admin_client.post(ADD_URL, new_account(password1=password, password2=password))
    person = Client()
    response = person.post("/accounts/login/", {"login": "13812345678", "password": password})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    assert "_auth_user_id" not in person.session
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.outbox[-1].text).group(1)
    response = person.post("/accounts/phone/verify/", {"code": code})
    assert response.status_code == 302
    assert User.objects.get(username="wangfang").phone_verified


@pytest.mark.django_db
def test_superuser_adds_an_email_only_account_with_a_password(client):
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(
        ADD_URL,
        new_account(
            phone="",
            email="Zhao.Lei@Example.org",
            language="en",
            password1="Zhufang-2022!",
            password2="Zhufang-2022!",
        ),
    )
    assert response.status_code == 302
    user = User.objects.get(username="wangfang")
    assert user.phone is None  # NULL, not "": many accounts have no number
    assert user.email == "zhao.lei@example.org"
    assert user.language == "en"
    assert user.check_password("Zhufang-2022!")


@pytest.mark.django_db
def test_an_account_with_neither_number_nor_email_is_refused(admin_client):
    response = admin_client.post(ADD_URL, new_account(phone="", email=""))
    assert response.status_code == 200
    assert any("手机号或电子邮箱" in error for error in field_errors(response, "phone"))
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.django_db
def test_a_number_already_on_another_account_is_refused_in_chinese(admin_client):
    UserFactory(phone="13812345678")
    response = admin_client.post(ADD_URL, new_account(phone="138-1234-5678"))
    assert response.status_code == 200
    assert field_errors(response, "phone") == ["该手机号已被其他账户使用。"]
    assert "该手机号已被其他账户使用。" in response.content.decode()
    assert User.objects.filter(phone="13812345678").count() == 1
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.django_db
def test_an_email_already_on_another_account_is_refused(admin_client):
    UserFactory(email="taken@example.org")
    response = admin_client.post(ADD_URL, new_account(email="Taken@Example.org"))
    assert response.status_code == 200
    assert field_errors(response, "email") == ["该电子邮箱已被其他账户使用。"]


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["12345", "12812345678", "1381234567a", "+1 650 555 0100"])
def test_a_number_in_the_wrong_format_is_refused_with_the_sign_up_message(admin_client, number):
    response = admin_client.post(ADD_URL, new_account(phone=number))
    assert response.status_code == 200
    assert field_errors(response, "phone") == ["请输入有效的中国大陆手机号码（11位，以1开头）。"]
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.django_db
def test_losing_a_race_for_a_number_shows_the_form_again(admin_client, monkeypatch):
    # The other admin's account with the number is committed after this form checked that the
    # number was free: the unique constraint stops our save, and the form comes back with the
    # reason instead of a server error.
    UserFactory(phone="13812345678")
    checks = {"phone": 0, "model": 0}
    real_others = AccountFieldsMixin.others
    real_validate_unique = UserCreationForm.validate_unique

    def others_not_yet_saved(self):
        checks["phone"] += 1
        users = real_others(self)
        return users.exclude(phone="13812345678") if checks["phone"] == 1 else users

    def model_check_not_yet_either(self):
        checks["model"] += 1
        if checks["model"] > 1:
            real_validate_unique(self)

    monkeypatch.setattr(AccountFieldsMixin, "others", others_not_yet_saved)
    monkeypatch.setattr(UserCreationForm, "validate_unique", model_check_not_yet_either)
    response = admin_client.post(ADD_URL, new_account())
    assert response.status_code == 200
    assert field_errors(response, "phone") == ["该手机号已被其他账户使用。"]
    assert not User.objects.filter(username="wangfang").exists()
    assert User.objects.filter(phone="13812345678").count() == 1
    assert checks["phone"] == 2  # the save failed and the form was checked again


# --- Editing an account ----------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_form_shows_the_number_and_whether_it_is_verified(admin_client, coordinator):
    response = admin_client.get(edit_url(coordinator))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{coordinator.phone}"' in html
    assert "已验证" in html
    assert 'name="language"' in html


@pytest.mark.django_db
def test_changing_the_number_stores_it_normalised_and_unverified(admin_client, coordinator):
    assert coordinator.phone_verified
    response = admin_client.post(
        edit_url(coordinator), edit_data(coordinator, phone="+86 137 0000 1111", language="en")
    )
    assert response.status_code == 302, response.context["form"].errors
    coordinator.refresh_from_db()
    assert coordinator.phone == "13700001111"
    assert not coordinator.phone_verified
    assert coordinator.language == "en"
    assert coordinator.check_password("pass-1234-word")  # an empty password field changes nothing


@pytest.mark.django_db
def test_saving_the_same_number_typed_differently_keeps_it_verified(admin_client, coordinator):
    typed = f"+86 {coordinator.phone[:3]} {coordinator.phone[3:7]} {coordinator.phone[7:]}"
    response = admin_client.post(edit_url(coordinator), edit_data(coordinator, phone=typed))
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.phone_verified


@pytest.mark.django_db
def test_editing_to_a_number_of_another_account_is_refused(admin_client, coordinator):
    other = UserFactory(phone="13700001111")
    response = admin_client.post(edit_url(coordinator), edit_data(coordinator, phone=other.phone))
    assert response.status_code == 200
    assert field_errors(response, "phone") == ["该手机号已被其他账户使用。"]
    coordinator.refresh_from_db()
    assert coordinator.phone != other.phone


@pytest.mark.django_db
def test_a_name_kept_whole_in_the_given_name_field_can_be_saved(admin_client, coordinator):
    data = edit_data(coordinator, last_name="", first_name="民岳家园社区工作人员")
    response = admin_client.post(edit_url(coordinator), data)
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert str(coordinator) == "民岳家园社区工作人员"


@pytest.mark.django_db
def test_removing_the_number_of_an_email_account_is_allowed(admin_client, coordinator):
    response = admin_client.post(edit_url(coordinator), edit_data(coordinator, phone=""))
    assert response.status_code == 302
    coordinator.refresh_from_db()
    assert coordinator.phone is None
    assert not coordinator.phone_verified


# --- The listing and who may use these screens ----------------------------------------------


@pytest.mark.django_db
def test_listing_shows_the_masked_number_and_finds_people_by_number(admin_client):
    UserFactory(phone="13812345678", username="wangfang", last_name="王", first_name="芳")
    UserFactory(phone="13900009999", username="lina")
    response = admin_client.get("/admin/users/")
    html = response.content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html

    response = admin_client.get("/admin/users/", {"q": "13812345678"})
    users = list(response.context["object_list"])
    assert [user.username for user in users] == ["wangfang"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/admin/users/", ADD_URL])
def test_a_coordinator_cannot_reach_the_user_screens(client, coordinator, path):
    client.force_login(coordinator)
    response = client.get(path)
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"] == "/admin/"
    response = client.post(ADD_URL, new_account())
    assert response.status_code in (302, 403)
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.django_db
def test_a_coordinator_cannot_edit_another_account(client, coordinator, other_coordinator):
    client.force_login(coordinator)
    response = client.post(edit_url(other_coordinator), edit_data(other_coordinator, phone=""))
    assert response.status_code in (302, 403)
    other_coordinator.refresh_from_db()
    assert other_coordinator.phone


@pytest.mark.django_db
def test_a_volunteer_is_refused(client):
    client.force_login(make_user(roles.VOLUNTEER))
    response = client.post(ADD_URL, new_account())
    assert response.status_code in (302, 403)
    assert not User.objects.filter(username="wangfang").exists()


@pytest.mark.django_db
def test_a_subdistrict_admin_cannot_make_anyone_a_superuser(admin_client, subdistrict_admin):
    response = admin_client.get(ADD_URL)
    assert response.context["form"].fields["is_superuser"].disabled
    response = admin_client.post(ADD_URL, new_account(is_superuser="on"))
    assert response.status_code == 302
    assert not User.objects.get(username="wangfang").is_superuser

    data = edit_data(subdistrict_admin, is_superuser="on")
    response = admin_client.post(edit_url(subdistrict_admin), data)
    subdistrict_admin.refresh_from_db()
    assert not subdistrict_admin.is_superuser


@pytest.mark.django_db
def test_a_subdistrict_admin_cannot_take_over_a_superuser_account(admin_client):
    superuser = UserFactory(is_superuser=True, phone="13700002222")
    response = admin_client.get(edit_url(superuser))
    assert response.status_code == 302  # Wagtail's "no permission": back to the dashboard
    assert response["Location"] == "/admin/"
    response = admin_client.post(edit_url(superuser), edit_data(superuser, phone="13812345678"))
    assert response.status_code == 302
    superuser.refresh_from_db()
    assert superuser.phone == "13700002222"


@pytest.mark.django_db
def test_a_superuser_can_make_a_superuser(client):
    client.force_login(UserFactory(is_superuser=True))
    response = client.post(ADD_URL, new_account(is_superuser="on"))
    assert response.status_code == 302
    assert User.objects.get(username="wangfang").is_superuser


@pytest.mark.django_db
def test_the_username_may_be_left_for_the_portal_to_make_up(admin_client):
    UserFactory(username="13812345678")
    response = admin_client.post(ADD_URL, new_account(username=""))
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(phone="13812345678")
    assert user.username and user.username != "13812345678"  # unique, from the number
    assert "13812345678" in user.username
    response = admin_client.post(
        ADD_URL, new_account(username="", phone="", email="Li.Na@Example.org")
    )
    assert response.status_code == 302
    assert User.objects.get(email="li.na@example.org").username.startswith("li.na")


@pytest.mark.django_db
def test_wagtail_add_pages_read_in_chinese(admin_client):
    """Wagtail ships "New: %(model_name)s" without Chinese; portal's catalogue supplies it."""
    html = admin_client.get("/admin/places/compounds/new/").content.decode()
    assert "新建小区" in html and "New:" not in html
