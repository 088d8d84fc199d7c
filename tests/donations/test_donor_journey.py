"""Issue 12, point 7: the donor's journey without friction. A visitor who taps "登记为捐赠方"
signs up and comes back; errors sit once beside their field; the receipt is in Chinese and
lists what was refused and why; the receiving form starts at the warehouse; a pledge has a
shareable "where it went" link; a firm that did not agree is never named in public."""

import re

import pytest
from django.urls import reverse

from portal import sms
from tests.portal.test_accounts import last_code

pytestmark = pytest.mark.django_db


def test_register_as_donor_sends_a_visitor_through_phone_sign_up_and_back(client):
    register = reverse("donations:donor_register")
    response = client.get(register)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_signup')}?next={register}"

    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{register}"' in page
    # the other ways in keep the destination too
    assert f"{reverse('account_login')}?next=" in page
    email_signup = client.get(f"{reverse('account_signup_email')}?next={register}")
    assert f"{reverse('account_signup')}?next=" in email_signup.content.decode()

    response = client.post(reverse("account_signup"), {"phone": "13800138000", "next": register})
    assert response.status_code == 302
    response = client.post(response["Location"], {"code": last_code(sms.outbox[-1].text)})
    assert response.status_code == 302
    assert response["Location"] == register
    assert client.get(register).status_code == 200


def _field_block(html, name):
    """The markup of the form field `name` (account/_field.html's div)."""
    match = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}"', html, re.S
    )
    assert match, f"no field {name}"
    return match.group(0)


def test_a_taken_credit_code_is_said_once_beside_its_field(client, donor):
    from tests.factories import make_user

    client.force_login(make_user(username="second-rep"))
    response = client.post(
        reverse("donations:donor_register"),
        {
            "kind": "firm",
            "name": "另一家公司",
            "credit_code": donor.credit_code,
            "contact_name": "王女士",
            "contact_phone": "13712345678",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    message = "该统一社会信用代码已登记为捐赠方"
    assert html.count(message) == 1
    assert message in _field_block(html, "credit_code")


def test_a_malformed_credit_code_gets_one_message_and_is_not_called_optional(client, db):
    from tests.factories import make_user

    client.force_login(make_user(username="third-rep"))
    data = {"kind": "firm", "name": "某公司", "credit_code": "123", "contact_name": "王女士"}
    html = client.post(reverse("donations:donor_register"), data).content.decode()
    field = _field_block(html, "credit_code")
    assert field.count("<li>") == 1 and "选填" not in field


def test_a_form_error_of_no_field_is_shown_once(client, donor_user, donor, masks):
    client.force_login(donor_user)
    response = client.post(
        reverse("donations:pledge_new", args=[donor.pk]),
        {
            "submission_key": "bad key!",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-item": masks.pk,
            "lines-0-quantity": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('class="errorlist') + html.count("form-errors") == 2  # key, quantity
    assert "errorlist" in _field_block(html, "lines-0-quantity")


def _pdf_text(content):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(content)) as pdf:
        return "".join(page.extract_text() or "" for page in pdf.pages)


def test_receipt_pdf_is_in_chinese_and_lists_rejected_goods_with_the_reason(
    client, donor_user, stocked
):
    client.force_login(donor_user)
    receipt = stocked["receipt"]
    text = _pdf_text(client.get(reverse("donations:receipt_pdf", args=[receipt.pk])).content)
    assert "捐赠接收凭证" in text and "Donation receipt" not in text
    assert "未接收物资" in text and "非医用级" in text and "200" in text
    letter = _pdf_text(client.get(reverse("donations:thank_you_pdf", args=[receipt.pk])).content)
    assert "感谢信" in letter and "Thank-you letter" not in letter


def test_no_translatable_string_is_hidden_from_makemessages():
    """gettext(variable) is never extracted: every message is a literal at its call."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    names = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext",
             "pgettext_lazy", "npgettext", "gettext_noop"}  # fmt: skip
    hidden = []
    for app in ("portal", "content", "volunteers", "donations", "assistance"):
        for path in (root / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                func = node.func
                name = getattr(func, "id", None) or getattr(func, "attr", None)
                if name not in names:
                    continue
                first = node.args[1 if name.startswith(("pgettext", "npgettext")) else 0 :]
                if first and not (
                    isinstance(first[0], ast.Constant) and isinstance(first[0].value, str)
                ):
                    hidden.append(f"{path.relative_to(root)}:{node.lineno}")
    assert not hidden


def test_receiving_starts_at_the_warehouse(client, warehouse_keeper, donor, masks, warehouse):
    from donations import services
    from donations.models import Location

    Location.objects.create(name="A社区物资点", kind=Location.Kind.COMMUNITY)
    pledge = services.pledge(donor, [{"item": masks, "quantity": 10}])
    client.force_login(warehouse_keeper)
    html = client.get(reverse("donations_admin:receive", args=[pledge.pk])).content.decode()
    options = re.findall(r"<option [^>]*>[^<]*</option>", html)
    selected = [o for o in options if " selected" in o]
    assert len(selected) == 1 and warehouse.name in selected[0]


@pytest.fixture
def handed_out(stocked, community, coordinator, warehouse_keeper, masks, compound, post):
    from donations import services
    from donations.models import Location
    from tests.factories import HelpRequestFactory

    request = services.request_supplies(community, [(masks, 300)], purpose="卡口", user=coordinator)
    note = services.dispatch(
        services.allocate(request.lines.get(), user=warehouse_keeper), user=warehouse_keeper
    )
    services.confirm_receipt(note, {}, user=coordinator)
    store = Location.objects.get(kind=Location.Kind.COMMUNITY, community=community)
    services.distribute(
        community, store, [(masks, 100)], user=coordinator, recipient="post", post=post
    )
    household = HelpRequestFactory(compound=compound, building="5号楼3单元402")
    services.distribute(
        community,
        store,
        [(masks, 20)],
        user=coordinator,
        recipient="household",
        help_request=household,
        note="放门口",
    )
    return stocked


def test_a_pledge_has_a_shareable_link_with_counts_only(client, donor_user, donor, handed_out):
    from donations import sharing

    pledge = handed_out["pledge"]
    client.force_login(donor_user)
    page = client.get(reverse("donations:pledge", args=[pledge.pk])).content.decode()
    url = sharing.shared_url(pledge)
    assert url in page
    client.logout()
    path = url.split("://", 1)[1].split("/", 1)[1]
    html = client.get("/" + path).content.decode()
    assert "民岳家园社区" in html
    assert "1 户" in html or "1户" in html  # one household, counted
    assert "5号楼" not in html and "放门口" not in html and donor.contact_name not in html
    assert donor.name in html  # this donor agreed to be named
    donor.public_name_consent = False
    donor.save()
    assert donor.name not in client.get("/" + path).content.decode()
    assert client.get("/" + path[:-3] + "x/").status_code == 404


def test_only_a_donor_that_agreed_has_a_public_page(client, donor, other_donor, handed_out):
    assert client.get(reverse("donations:donor_public", args=[donor.pk])).status_code == 200
    assert client.get(reverse("donations:donor_public", args=[other_donor.pk])).status_code == 404
    board = client.get(reverse("donations:board")).content.decode()
    assert reverse("donations:donor_public", args=[donor.pk]) in board


def test_a_story_names_a_firm_only_if_it_agreed_and_links_to_its_donations(donor, other_donor):
    from content.blocks import ThankedPartyBlock

    block = ThankedPartyBlock()

    def render(name):
        value = block.to_python({"kind": "firm", "name": name, "consent": True, "link": ""})
        return block.render(value)

    assert other_donor.name not in render(other_donor.name)  # ticked, but the firm opted out
    named = render(donor.name)
    assert donor.name in named
    assert reverse("donations:donor_public", args=[donor.pk]) in named


def test_the_receipt_check_page_does_not_spell_out_an_anonymous_donor(
    client, other_donor, warehouse_keeper
):
    from donations import documents, services
    from donations.models import Item, Location

    item = Item.objects.create(name="护目镜", category="protective", unit="副")
    place = Location.objects.create(name="仓库", kind=Location.Kind.WAREHOUSE)
    pledge = services.pledge(other_donor, [{"item": item, "quantity": 5}])
    receipt = services.receive(
        pledge, place, [{"pledge_line": pledge.lines.get(), "accepted": 5}], user=warehouse_keeper
    )
    url = documents.verification_url(receipt)
    html = client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).content.decode()
    assert receipt.serial in html and other_donor.name not in html
