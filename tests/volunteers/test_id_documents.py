"""ID documents other than the resident ID card (issue 14): the type on the profile, its number's
format checked by type (the resident ID card keeps its checksum), the sign-up form, the review
page and the records export (masked as before, the type in 证件类型)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

from portal.validators import validate_id_document
from tests.factories import ShiftFactory, SignupFactory, VolunteerProfileFactory
from volunteers import records, services
from volunteers.forms import ProfileForm
from volunteers.models import Attendance, VolunteerProfile

RESIDENT = "11010519491231002X"


def _foreign_new():
    body = "93311019900101001"
    return body + ric.calc_check_digit(body + "0")


@pytest.mark.parametrize(
    ("id_type", "good", "bad"),
    [
        ("resident_id", RESIDENT, "110105194912310021"),  # the checksum still counts
        ("hk_macao_permit", "H12345678", "12345678"),
        ("hk_macao_permit", "M1234567801", "X12345678"),
        ("taiwan_permit", "12345678", "1234567"),
        ("passport", "E12345678", "E-1234"),
        ("passport", "G1234567", "ABCDEFG"),
        ("foreign_permanent_id", "USA110090001234", "US1100900012345"),
        ("foreign_permanent_id", _foreign_new(), _foreign_new()[:17] + "Y"),
    ],
)
def test_each_document_type_has_its_format(id_type, good, bad):
    validate_id_document(id_type, good)
    validate_id_document(id_type, good.lower())  # typed in lower case: normalised
    with pytest.raises(ValidationError):
        validate_id_document(id_type, bad)


def test_a_passport_number_is_not_a_resident_id_card_number():
    with pytest.raises(ValidationError):
        validate_id_document("resident_id", "E12345678")
    with pytest.raises(ValidationError):
        validate_id_document("nonsense", "E12345678")


@pytest.mark.django_db
def test_existing_and_new_profiles_default_to_the_resident_id_card(community):
    profile = VolunteerProfileFactory(community=community)
    assert profile.id_type == VolunteerProfile.IdType.RESIDENT_ID
    field = VolunteerProfile._meta.get_field("id_type")
    assert field.default == "resident_id"


def _form_data(community, **extra):
    return {
        "real_name": "约翰",
        "mobile": "13912340001",
        "community": community.pk,
        "consent": "on",
        "work_unit": "",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        **extra,
    }


@pytest.mark.django_db
def test_the_sign_up_form_checks_the_number_against_the_chosen_type(community):
    form = ProfileForm(_form_data(community, id_type="passport", id_number="e12345678"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["id_number"] == "E12345678"
    wrong = ProfileForm(_form_data(community, id_type="resident_id", id_number="E12345678"))
    assert not wrong.is_valid() and "id_number" in wrong.errors
    # no type given: the resident ID card, checksum and all
    plain = ProfileForm(_form_data(community, id_number=RESIDENT))
    assert plain.is_valid(), plain.errors
    assert plain.cleaned_data["id_type"] == "resident_id"
    html = ProfileForm().as_p()
    assert "护照" in html and "港澳居民来往内地通行证" in html


@pytest.mark.django_db
def test_the_service_refuses_a_number_of_the_wrong_format_for_its_type(community):
    data = {
        "real_name": "陈大文",
        "mobile": "13912340002",
        "community": community,
        "consent": True,
        "id_type": "hk_macao_permit",
        "id_number": RESIDENT,
    }
    with pytest.raises(services.VolunteerError) as refused:
        services.create_profile(None, data)
    assert "id_number" in refused.value.message_dict
    profile = services.create_profile(None, {**data, "id_number": "H12345678"})
    assert (profile.id_type, profile.masked_id_number) == ("hk_macao_permit", "H12**5678")


@pytest.mark.django_db
def test_the_records_export_names_the_document_and_masks_its_number(
    client, community, coordinator, gate_task
):
    profile = VolunteerProfileFactory(community=community, real_name="玛丽")
    VolunteerProfile.objects.filter(pk=profile.pk).update(id_type="passport", id_number="E12345678")
    start = (timezone.now() - timedelta(days=2)).replace(microsecond=0)
    shift = ShiftFactory(task=gate_task, start=start, end=start + timedelta(hours=3))
    Attendance.objects.create(
        signup=SignupFactory(shift=shift, profile=profile),
        check_in_at=shift.start,
        check_out_at=shift.end,
        status="confirmed",
    )
    queryset = records.records(coordinator, profile=profile)
    [row] = records.record_rows(queryset)
    assert row[1:3] == ["护照", "E12**5678"]
    [whole] = records.record_rows(queryset, full_id_numbers=True)
    assert whole[1:3] == ["护照", "E12345678"]
    profile.refresh_from_db()
    assert records.id_type_name(profile) == "护照"


@pytest.mark.django_db
def test_signing_up_with_a_taiwan_permit_through_the_page(client, community, compound):
    from tests.factories import UserFactory
    from tests.volunteers.test_views import form_data

    user = UserFactory(phone=None)
    client.force_login(user)
    url = f"/volunteers/join/{community.slug}/form/"
    page = client.get(url).content.decode()
    assert 'name="id_type"' in page and "台湾居民来往大陆通行证" in page
    refused = client.post(
        url, form_data(community, compound, id_type="taiwan_permit", id_number="E12345678")
    )
    assert "台湾居民来往大陆通行证号码为 8 位数字" in refused.content.decode()
    client.post(url, form_data(community, compound, id_type="taiwan_permit", id_number="12345678"))
    profile = VolunteerProfile.objects.get(user=user)
    assert (profile.id_type, profile.id_number) == ("taiwan_permit", "12345678")
