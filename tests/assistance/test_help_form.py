"""The item rows of a help request are a formset: one empty row at first, "+ add another item"
works without JavaScript (the server adds a row and keeps what was typed, creating nothing),
blank rows are ignored, bad rows and too many rows are refused in Chinese with an error summary
at the top. The coordinator's back-office form has the same rows."""

import re

import pytest

from assistance.forms import MAX_LINES
from assistance.models import HelpRequest
from donations.models import Item
from tests.assistance.test_household import URL, _data

ADMIN_URL = "/admin/assistance/new/"


@pytest.fixture
def items(db):
    return [
        Item.objects.create(name=name, category=Item.Category.FOOD, unit=unit)
        for name, unit in [("婴儿奶粉", "罐"), ("大米", "袋"), ("鸡蛋", "盒")]
    ]


def _rows(items_and_quantities, start=0):
    data = {}
    for i, (item, quantity) in enumerate(items_and_quantities, start=start):
        data |= {f"items-{i}-item": item.pk if item else "", f"items-{i}-quantity": quantity}
    return data


def _row_names(html):
    return re.findall(r'name="items-(\d+)-item"', html)


def _total_forms(html):
    return re.search(r'name="items-TOTAL_FORMS" value="(\d+)"', html).group(1)


def test_one_empty_row_by_default_and_a_template_for_more(client, resident, items):
    client.force_login(resident)
    html = client.get(URL).content.decode()
    assert _row_names(html) == ["0"] and _total_forms(html) == "1"
    assert 'name="items-__prefix__-item"' in html.split("<template", 1)[1]
    assert 'name="add_item"' in html and "再添加一项物资" in html
    assert '<label for="id_items-0-item">' in html and '<label for="id_items-0-quantity">' in html
    assert "assistance/help_form.js" in html
    assert 'class="a-error-summary"' not in html


def test_add_item_without_javascript_keeps_what_was_typed(
    client, resident, community, compound, items
):
    client.force_login(resident)
    milk = items[0]
    data = _data(
        community,
        compound,
        building="5-1-101",
        contact_name="李叔",
        **_rows([(milk, "2")]),
        add_item="1",
    )
    response = client.post(URL, data)
    assert response.status_code == 200
    assert not HelpRequest.objects.exists()
    html = response.content.decode()
    assert _row_names(html) == ["0", "1"] and _total_forms(html) == "2"
    row0 = html.split('name="items-0-item"', 1)[1].split("</select>", 1)[0]
    assert f'<option value="{milk.pk}" selected>' in row0
    assert 'name="items-0-quantity" value="2"' in html
    assert 'value="5-1-101"' in html and 'value="李叔"' in html and "降压药" in html
    assert f'value="{data["token"]}"' in html  # the same form: still one request when sent
    # The new row has the focus; nothing is validated yet, so no error is shown.
    assert re.search(r'name="items-1-item"[^>]*autofocus', html)
    assert "errorlist" not in html and "a-error-summary" not in html

    # Sent for real (the browser now posts two rows, the second left blank): one request.
    data |= {"items-TOTAL_FORMS": "2", "items-1-item": "", "items-1-quantity": ""}
    del data["add_item"]
    assert client.post(URL, data).status_code == 302
    help_request = HelpRequest.objects.get()
    assert [(line.item, line.quantity) for line in help_request.lines.all()] == [(milk, 2)]


def test_add_item_without_javascript_ignores_errors_elsewhere(
    client, resident, community, compound, items
):
    client.force_login(resident)
    response = client.post(
        URL,
        _data(
            community,
            compound,
            building="",
            contact_phone="1",
            **_rows([(None, "0")]),
            add_item="1",
        ),
    )
    html = response.content.decode()
    assert _row_names(html) == ["0", "1"]
    assert 'name="items-0-quantity" value="0"' in html
    assert "errorlist" not in html and not HelpRequest.objects.exists()


def test_three_items_make_one_request_with_three_lines(
    client, resident, community, compound, items
):
    client.force_login(resident)
    milk, rice, eggs = items
    data = _data(
        community,
        compound,
        rows=5,
        **_rows([(milk, "2"), (None, ""), (rice, "1"), (eggs, "3"), (None, "")]),
    )
    response = client.post(URL, data)
    assert response.status_code == 302
    help_request = HelpRequest.objects.get()
    assert sorted((line.item.name, line.quantity) for line in help_request.lines.all()) == [
        ("大米", 1),
        ("婴儿奶粉", 2),
        ("鸡蛋", 3),
    ]
    # Sent twice (double tap): still one request with three lines.
    client.post(URL, data)
    assert HelpRequest.objects.count() == 1 and help_request.lines.count() == 3


def test_blank_rows_are_ignored(client, resident, community, compound, items):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, rows=3, need="一周的蔬菜"))
    assert response.status_code == 302
    help_request = HelpRequest.objects.get()
    assert help_request.need == "一周的蔬菜" and not help_request.lines.exists()


def test_the_same_item_twice_is_one_line(client, resident, community, compound, items):
    client.force_login(resident)
    milk = items[0]
    client.post(URL, _data(community, compound, rows=2, **_rows([(milk, "1"), (milk, "2")])))
    assert [(line.item, line.quantity) for line in HelpRequest.objects.get().lines.all()] == [
        (milk, 3)
    ]


@pytest.mark.parametrize("quantity", ["0", "-2", "1.5"])
def test_bad_quantity_is_refused_and_summarised(
    client, resident, community, compound, items, quantity
):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, **_rows([(items[0], quantity)])))
    assert response.status_code == 200 and not HelpRequest.objects.exists()
    formset = response.context["form"].items
    assert list(formset.errors[0]) == ["quantity"]
    html = response.content.decode()
    summary = html.split('class="a-error-summary"', 1)[1].split("</div>", 1)[0]
    assert html.index('class="a-error-summary"') < html.index("<form")
    assert 'href="#id_items-0-quantity"' in summary and "物资 1" in summary
    assert "数量至少为 1" in summary or "请输入整数" in summary
    # Next to the field too, and the field says so.
    assert 'id="id_items-0-quantity_error"' in html
    assert re.search(r'name="items-0-quantity"[^>]*aria-invalid="true"', html)


def test_item_without_quantity_and_quantity_without_item(
    client, resident, community, compound, items
):
    client.force_login(resident)
    response = client.post(
        URL, _data(community, compound, rows=2, **_rows([(items[0], ""), (None, "3")]))
    )
    errors = response.context["form"].items.errors
    assert list(errors[0]) == ["quantity"] and list(errors[1]) == ["item"]
    html = response.content.decode()
    assert "请填写数量" in html and "请选择物资" in html
    assert not HelpRequest.objects.exists()


def test_nothing_asked_is_summarised_with_a_link(client, resident, community, compound, items):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, rows=2, need="  "))
    html = response.content.decode()
    assert 'href="#id_need"' in html.split("<form", 1)[0]
    assert not HelpRequest.objects.exists()


def test_more_rows_than_the_maximum_are_refused(client, resident, community, compound, items):
    client.force_login(resident)
    rows = [(items[i % 3], "1") for i in range(MAX_LINES + 1)]
    response = client.post(URL, _data(community, compound, rows=MAX_LINES + 1, **_rows(rows)))
    assert response.status_code == 200 and not HelpRequest.objects.exists()
    html = response.content.decode()
    assert f"一次求助最多填写 {MAX_LINES} 项物资" in html
    assert 'href="#items-rows"' in html and 'id="items-rows"' in html
    # Exactly the maximum is fine.
    response = client.post(
        URL, _data(community, compound, rows=MAX_LINES, **_rows(rows[:MAX_LINES]))
    )
    assert response.status_code == 302


def test_no_row_is_added_beyond_the_maximum(client, resident, community, compound, items):
    client.force_login(resident)
    response = client.post(URL, _data(community, compound, rows=MAX_LINES, add_item="1"))
    html = response.content.decode()
    assert len(_row_names(html)) == MAX_LINES
    assert re.search(r'<button type="submit" name="add_item"[^>]*hidden', html)
    assert "最多" in html and not HelpRequest.objects.exists()


def test_missing_row_count_is_refused_in_chinese(client, resident, community, compound, items):
    client.force_login(resident)
    data = _data(community, compound)
    del data["items-TOTAL_FORMS"]
    response = client.post(URL, data)
    assert response.status_code == 200 and not HelpRequest.objects.exists()
    assert "物资清单不完整" in response.content.decode()


def test_coordinator_form_has_the_same_rows(client, community, compound, coordinator, items):
    client.force_login(coordinator)
    html = client.get(ADMIN_URL).content.decode()
    assert _row_names(html) == ["0"] and 'name="add_item"' in html
    base = {
        "community": community.pk,
        "compound": compound.pk,
        "building": "1号楼101",
        "contact_phone": "13800002222",
        "urgency": "normal",
        "need": "",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
    }
    milk, rice, _eggs = items
    response = client.post(ADMIN_URL, base | _rows([(milk, "200")]) | {"add_item": "1"})
    html = response.content.decode()
    assert _row_names(html) == ["0", "1"] and 'name="items-0-quantity" value="200"' in html
    assert not HelpRequest.objects.exists()
    response = client.post(
        ADMIN_URL,
        base | {"items-TOTAL_FORMS": "3"} | _rows([(milk, "200"), (None, ""), (rice, "5")]),
    )
    assert response.status_code == 302
    lines = HelpRequest.objects.get().lines.order_by("item__name")
    assert [(line.item, line.quantity) for line in lines] == [(rice, 5), (milk, 200)]


def test_coordinator_form_refuses_a_bad_row(client, community, compound, coordinator, items):
    client.force_login(coordinator)
    response = client.post(
        ADMIN_URL,
        {
            "community": community.pk,
            "compound": compound.pk,
            "building": "1号楼101",
            "contact_phone": "13800002222",
            "urgency": "normal",
            "need": "",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-item": items[0].pk,
            "items-0-quantity": "0",
        },
    )
    assert response.status_code == 200 and not HelpRequest.objects.exists()
    assert 'href="#id_items-0-quantity"' in response.content.decode()


def test_error_summary_follows_the_page_order(client, resident, community, compound, items):
    client.force_login(resident)
    response = client.post(
        URL, _data(community, compound, contact_phone="12345", **_rows([(items[0], "0")]))
    )
    summary = response.context["form"].error_summary()
    assert [anchor for anchor, _text in summary] == ["id_items-0-quantity", "id_contact_phone"]
    assert summary[0][1].startswith("物资 1，数量：")
