"""The read-only API answers garbage in its query string with a client error or an empty
page, never a 500; an offset beyond any database's range is a 400."""

import pytest

BIG = str(2**63)
GARBAGE = [
    {"offset": BIG},
    {"offset": str(2**31)},
    {"offset": "-1"},
    {"offset": "abc"},
    {"offset": "1e3"},
    {"limit": BIG},
    {"limit": "-5"},
    {"limit": "x"},
    {"child_of": BIG},
    {"child_of": "x"},
    {"descendant_of": BIG},
    {"id": BIG},
    {"id": "x"},
    {"type": "nope.Nothing"},
    {"order": "nope"},
    {"fields": "nope"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["pages", "images", "documents"])
def test_the_api_never_answers_garbage_parameters_with_a_server_error(client, home, endpoint):
    client.raise_request_exception = False
    answers = {
        str(params): client.get(f"/api/v2/{endpoint}/", params).status_code for params in GARBAGE
    }
    assert {params: code for params, code in answers.items() if code >= 500} == {}
    response = client.get(f"/api/v2/{endpoint}/", {"offset": BIG})
    assert response.status_code == 400
    assert "offset" in response.json()["message"]
    assert client.get(f"/api/v2/{endpoint}/{BIG}/").status_code == 404
