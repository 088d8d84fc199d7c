"""The stock-take entry page (issue 15.4) on a 375 px phone: a community keeper counts their
store in a real browser; the page fits the screen, the count fields are big numeric targets."""

import datetime

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of

from donations import services
from donations.models import Item, Location, StockTake
from donations.services import stocktake
from portal import roles
from tests.browser.steps import screenshot, waiter
from tests.factories import DonorFactory, make_user

from .conftest import PHONE_WIDTH, csp_violations

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_keeper_counts_their_store_on_a_phone(browser, live_server, sign_in, community):
    keeper = make_user(roles.WAREHOUSE, username="st-keeper")
    coordinator = make_user(roles.COORDINATOR, [community], username="st-coord")
    warehouse = Location.objects.create(name="街道物资仓库", kind=Location.Kind.WAREHOUSE)
    store = services.ledger.community_store(community)
    masks = Item.objects.create(name="医用外科口罩（独立包装）", unit="只", category="masks")
    expiry = datetime.date.today() + datetime.timedelta(days=200)
    pledge = services.pledge(
        DonorFactory(),
        [
            {"item": masks, "quantity": 500, "lot_number": f"M-{n}", "expiry": expiry}
            for n in range(3)
        ],
        user=keeper,
    )
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "accepted": 500} for line in pledge.lines.all()],
        user=keeper,
    )
    for lot in pledge.lines.all():
        services.transfer(lot.lots.get(), warehouse, store, 100, user=keeper)
    count = stocktake.start_stocktake(store, user=coordinator)
    sign_in(browser, coordinator)
    browser.get(f"{live_server.url}/admin/supplies/stocktakes/{count.pk}/")
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    assert (
        browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
        <= 0
    )
    fields = browser.find_elements(By.CSS_SELECTOR, "input[name^=count-]")
    assert len(fields) == 3
    for field in fields:
        assert field.get_attribute("inputmode") == "numeric"
        assert field.size["height"] >= 44
        assert field.location["x"] + field.size["width"] <= PHONE_WIDTH
    for field, value in zip(fields, ("100", "98", "100"), strict=True):
        field.send_keys(value)
    screenshot(browser, "stocktake-counts")
    save = browser.find_element(By.CSS_SELECTOR, "button[value=save]")
    save.click()
    waiter(browser, 20).until(staleness_of(save))  # the page came back after saving
    assert sorted(StockTake.objects.get().lines.values_list("counted", flat=True)) == [98, 100, 100]
    assert csp_violations(browser) == []
