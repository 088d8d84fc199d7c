"""Every integer a person can make the portal store has a domain maximum: each integer field of
each of our models carries a MaxValueValidator within the database's range, so forms and
imports answer 2147483648 with a message, and PostgreSQL never sees it (a 500 before)."""

import pytest
from django.apps import apps
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse

OUR_APPS = {"portal", "content", "volunteers", "donations", "assistance"}
SMALL_INT_MAX = 2**15 - 1
INT_MAX = 2**31 - 1
BIG_INT_MAX = 2**63 - 1


def integer_fields():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for field in model._meta.concrete_fields:
            if field.model is not model:
                continue  # inherited (Wagtail's Page fields): checked on its own model if ours
            if isinstance(field, models.IntegerField) and not isinstance(
                field, models.AutoField | models.ForeignKey
            ):
                yield model, field


def database_max(field):
    if isinstance(field, models.SmallIntegerField | models.PositiveSmallIntegerField):
        return SMALL_INT_MAX
    if isinstance(field, models.BigIntegerField | models.PositiveBigIntegerField):
        return BIG_INT_MAX
    return INT_MAX


def test_every_integer_field_of_every_model_has_a_maximum_within_the_database_range():
    fields = list(integer_fields())
    assert len(fields) > 20  # the walk found them
    missing = []
    for model, field in fields:
        # Declared on the field (field.validators would add the connection's own range).
        limits = [v.limit_value for v in field._validators if isinstance(v, MaxValueValidator)]
        if not limits or min(limits) > database_max(field):
            missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []


@pytest.mark.django_db
def test_households_of_two_to_the_thirty_first_is_a_form_error_in_the_admin(
    client, subdistrict_admin, compound
):
    client.force_login(subdistrict_admin)
    client.raise_request_exception = False
    url = reverse("compounds:edit", args=[compound.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["households"] = str(2**31)
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 200
    compound.refresh_from_db()
    assert compound.households != 2**31
