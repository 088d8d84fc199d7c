"""A household asks for help on the public site: one request in the right community's queue,
Chinese errors next to the field, double-submit safe, only their own requests visible."""

import uuid

import pytest

from assistance import services
from assistance.models import HelpRequest
from donations.models import Item
from tests.factories import CompoundFactory, make_user

URL = "/assistance/help/"


@pytest.fixture
def milk(db):
    return Item.objects.create(name="婴儿奶粉", category=Item.Category.FOOD, unit="罐")


def _data(community, compound, rows=1, **extra):
    """The form as the browser sends it: `rows` item rows (the formset), blank unless given in
    `extra` (e.g. items-0-item)."""
    data = {
        "community": community.pk,
        "compound": compound.pk,
        "building": "3-2-501",
        "need": "降压药",
        "urgency": "urgent",
        "contact_name": "王阿姨",
        "contact_phone": "139 1111 2222",
        "token": str(uuid.uuid4()),
        "items-TOTAL_FORMS": str(rows),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "10",
    }
    for i in range(rows):
        data |= {f"items-{i}-item": "", f"items-{i}-quantity": ""}
    return data | extra


def test_sign_in_is_required(client):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]


def test_form_is_labelled_in_chinese(client, resident, community, compound):
    client.force_login(resident)
    html = client.get(URL).content.decode()
    assert "居民求助" in html or "求助" in html
    assert '<label for="id_contact_phone">' in html and 'name="token"' in html


def test_submit_creates_one_request_in_the_community(
    client, resident, community, compound, other_community, milk
):
    client.force_login(resident)
    data = _data(community, compound, **{"items-0-item": milk.pk, "items-0-quantity": "2"})
    response = client.post(URL, data)
    help_request = HelpRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/assistance/help/mine/{help_request.pk}/")
    assert help_request.community == community and help_request.compound == compound
    assert help_request.status == HelpRequest.Status.NEW
    assert help_request.requester == resident and help_request.contact_phone == "13911112222"
    assert help_request.urgency == "urgent"
    assert [(line.item, line.quantity) for line in help_request.lines.all()] == [(milk, 2)]
    page = client.get(response["Location"]).content.decode()
    assert "3-2-501" in page and community.name in page
    # The same form sent again (double tap, back and resend) makes no second request.
    again = client.post(URL, data)
    assert again["Location"] == response["Location"]
    assert HelpRequest.objects.count() == 1
    mine = client.get("/assistance/help/mine/").content.decode()
    assert f"#{help_request.pk}" in mine and "新" in mine


def test_bad_phone_is_refused_next_to_the_field(client, resident, community, compound):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, contact_phone="12345"))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["contact_phone"]
    html = response.content.decode()
    assert "请输入有效的" in html or "手机号" in html
    phone_at = html.index('id="id_contact_phone"')
    # Next to the field, before the send button ("+ add another item" is a submit button too).
    assert html.index('class="errorlist"', phone_at) < html.index("data-send")
    assert not HelpRequest.objects.exists()


def test_compound_of_another_community_is_refused(client, resident, community, other_community):
    elsewhere = CompoundFactory(community=other_community)
    client.force_login(resident)
    response = client.post(URL, _data(community, elsewhere))
    assert "compound" in response.context["form"].errors
    assert not HelpRequest.objects.exists()


def test_nothing_asked_is_refused(client, resident, community, compound):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, need=""))
    assert "need" in response.context["form"].errors
    assert not HelpRequest.objects.exists()


def test_another_user_gets_404(client, resident, community, compound):
    client.force_login(resident)
    client.post(URL, _data(community, compound))
    help_request = HelpRequest.objects.get()
    neighbour = make_user(username="neighbour")
    client.force_login(neighbour)
    assert client.get(f"/assistance/help/mine/{help_request.pk}/").status_code == 404
    assert f"#{help_request.pk}" not in client.get("/assistance/help/mine/").content.decode()


def test_only_that_communitys_coordinators_see_it(
    client, resident, community, compound, coordinator, other_coordinator
):
    client.force_login(resident)
    client.post(URL, _data(community, compound))
    help_request = HelpRequest.objects.get()
    client.force_login(coordinator)
    assert (
        f"/admin/assistance/{help_request.pk}/" in client.get("/admin/assistance/").content.decode()
    )
    assert client.get(f"/admin/assistance/{help_request.pk}/").status_code == 200
    client.force_login(other_coordinator)
    assert (
        f"/admin/assistance/{help_request.pk}/"
        not in client.get("/admin/assistance/").content.decode()
    )
    assert client.get(f"/admin/assistance/{help_request.pk}/").status_code == 404


def test_service_token_belongs_to_its_requester(resident, community, compound):
    token = uuid.uuid4()
    kwargs = dict(
        community=community,
        compound=compound,
        building="1-1-101",
        contact_phone="13911112222",
        need="蔬菜",
        own=True,
        token=token,
    )
    first = services.record_request(by=resident, **kwargs)
    assert services.record_request(by=resident, **kwargs) == first
    with pytest.raises(services.PermissionDenied):
        services.record_request(by=make_user(username="x"), **kwargs)
    assert HelpRequest.objects.count() == 1


def test_what_we_know_is_filled_in(client, resident, community, compound, milk):
    """Nothing asked twice: a volunteer's community and compound, then the last request's
    address - until that request is anonymised."""
    from django.utils import timezone

    from tests.factories import VolunteerProfileFactory

    client.force_login(resident)
    form = client.get(URL).context["form"]
    assert form.initial.get("community") is None
    assert form.initial["contact_phone"] == "13911112222"

    VolunteerProfileFactory(
        user=resident, real_name="王阿姨", community=community, compound=compound
    )
    form = client.get(URL).context["form"]
    assert (form.initial["community"], form.initial["compound"]) == (community.pk, compound.pk)
    assert form.initial["contact_name"] == "王阿姨" and not form.initial.get("building")

    client.post(
        URL, _data(community, compound, **{"items-0-item": milk.pk, "items-0-quantity": "1"})
    )
    form = client.get(URL).context["form"]
    assert form.initial["building"] == "3-2-501"
    HelpRequest.objects.update(
        building="", contact_phone="", contact_name="", anonymised_at=timezone.now()
    )
    form = client.get(URL).context["form"]
    assert not form.initial.get("building") and form.initial["contact_name"] == "王阿姨"


def test_a_link_from_a_community_page_chooses_that_community(
    client, resident, community, compound, other_community
):
    """`?community=<slug>` (the community page's "ask for help" button) chooses the community,
    for someone we know nothing of and over a known address elsewhere (whose compound and
    building are then left out); an unknown slug changes nothing."""
    from tests.factories import VolunteerProfileFactory

    client.force_login(resident)
    form = client.get(URL, {"community": community.slug}).context["form"]
    assert form.initial["community"] == community.pk and not form.initial.get("compound")
    page = client.get(URL, {"community": community.slug}).content.decode()
    assert f'<option value="{community.pk}" selected>' in page

    VolunteerProfileFactory(user=resident, real_name="王阿姨", community=community, compound=compound)  # fmt: skip
    form = client.get(URL, {"community": community.slug}).context["form"]
    assert (form.initial["community"], form.initial["compound"]) == (community.pk, compound.pk)
    form = client.get(URL, {"community": other_community.slug}).context["form"]
    assert form.initial["community"] == other_community.pk
    assert not form.initial.get("compound") and form.initial["contact_name"] == "王阿姨"
    form = client.get(URL, {"community": "no-such-place"}).context["form"]
    assert form.initial["community"] == community.pk


def test_the_community_page_offers_the_help_form_for_its_community(client, community):
    from content import services as content
    from portal import demo

    section = content.setup_community_section(community, demo.load_site())
    page = client.get(section.url).content.decode()
    assert f'href="{URL}?community={community.slug}"' in page
