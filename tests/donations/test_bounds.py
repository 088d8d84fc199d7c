"""A quantity of 2**31 typed into the pledge form is a message on the form; on PostgreSQL it
used to reach an integer column and fail with a 500."""

import pytest
from django.urls import reverse

from donations.models import Pledge


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_quantity_of_two_to_the_thirty_first_is_a_form_error_on_postgresql(
    client, donor_user, donor, masks
):
    client.force_login(donor_user)
    client.raise_request_exception = False
    response = client.post(
        reverse("donations:pledge_new", args=[donor.pk]),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": masks.pk,
            "lines-0-quantity": str(2**31),
        },
    )
    assert response.status_code == 200
    assert "1000000" in response.content.decode().replace(",", "")
    assert not Pledge.objects.exists()
