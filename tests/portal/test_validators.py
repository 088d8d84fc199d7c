"""ID numbers and unified social credit codes are checked by python-stdnum: a real birth date
(today a birth month of 13 passed), a known region, the check character; each with a clear
Chinese message, wherever they are typed."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from portal.validators import (
    id_number_check_char,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)


def complete(first17):
    return first17 + id_number_check_char(first17)


def message(validator, value):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validator(value)
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "11010519491231002x",
        # 宝安区 (440306) was created in 1992: people born before got its code later.
        complete("44030619851102123"),
    ],
)
def test_real_id_numbers_pass(number):
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "says"),
    [
        (complete("11010519901301002"), "出生日期"),  # month 13, check character right
        (complete("11010519900230002"), "出生日期"),  # 30 February
        (complete("00000019900101002"), "地区代码"),  # no such region
        (complete("11999919900101002"), "地区代码"),  # a province, but no such county
        ("11010519491231002" + "1", "校验码"),
        ("1101051949123100", "18位"),
        ("1101051949123100AX", "17位数字"),
    ],
)
def test_bad_id_numbers_are_refused_with_a_chinese_message(number, says):
    assert says in message(validate_id_number, number)


def test_a_birth_date_in_the_future_is_refused():
    born = timezone.localdate() + timedelta(days=2)
    number = complete(f"110105{born:%Y%m%d}002")
    assert "晚于今天" in message(validate_id_number, number)


def test_good_unified_social_credit_codes_pass():
    first17 = "91110000101114714"
    validate_uscc(first17 + uscc_check_char(first17))
    validate_uscc("91110000MA01ABCD" + "1" + uscc_check_char("91110000MA01ABCD1"))


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("911100001011147140", "校验码"),
        ("91110000101114714", "18位"),
        ("9111000010111471I" + "0", "不应出现的字符"),
    ],
)
def test_bad_unified_social_credit_codes_are_refused_with_a_chinese_message(code, says):
    assert says in message(validate_uscc, code)


def test_the_volunteer_form_refuses_a_thirteenth_month(client, community, compound):
    from tests.factories import UserFactory
    from tests.volunteers.test_views import form_data
    from volunteers.models import VolunteerProfile

    client.force_login(UserFactory(phone=None))
    response = client.post(
        f"/volunteers/join/{community.slug}/form/",
        form_data(community, compound, id_number=complete("11010519901301002")),
    )
    assert response.status_code == 200
    assert "不是有效日期" in response.content.decode()
    assert not VolunteerProfile.objects.exists()


def test_donor_registration_refuses_a_bad_credit_code_and_stores_one_spelling(db):
    from donations import services
    from donations.services import StockError
    from tests.factories import make_user

    first17 = "91110000101114714"
    good = first17 + uscc_check_char(first17)
    with translation.override("zh-hans"), pytest.raises(StockError, match="校验码"):
        services.register_donor(
            make_user(),
            kind="firm",
            name="某公司",
            credit_code=first17 + "0",
            contact_name="王女士",
            contact_phone="13712345678",
        )
    donor = services.register_donor(
        make_user(),
        kind="firm",
        name="北京公共交通控股(集团)有限公司",
        credit_code=f"{good[:8]} {good[8:]}".lower(),
        contact_name="王女士",
        contact_phone="13712345678",
    )
    assert donor.credit_code == good


# --- phone numbers (mobile or landline): help requests, communities, the subdistrict ----------


@pytest.mark.parametrize(
    "typed,stored",
    [
        ("13800001111", "13800001111"),
        ("+86 138-0000-1111", "13800001111"),
        ("010-63811234", "010-63811234"),
        ("(010)6381-1234", "010-63811234"),
        ("01063811234", "010-63811234"),
        ("0755 8234 5678", "0755-82345678"),
        ("63811234", "63811234"),
        ("010-63811234转123", "010-63811234-123"),
    ],
)
def test_mobiles_and_landlines_pass_and_are_normalised(typed, stored):
    from portal.validators import normalize_phone, validate_phone

    validate_phone(typed)
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize("typed", ["123", "12345678901", "010-123", "12345678", "电话", ""])
def test_bad_phones_are_refused_with_a_chinese_message(typed):
    from portal.validators import validate_phone

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_phone(typed)
    assert "带区号的固定电话" in refused.value.messages[0]


def test_a_community_phone_is_validated(community):
    community.phone = "123"
    with pytest.raises(ValidationError) as refused:
        community.full_clean()
    assert "phone" in refused.value.message_dict
