"""Journey 2 on a 375 px phone: a community coordinator staffs the week. She enters the Wagtail
admin in Chinese and sees only her community with its counts; approves a volunteer (ID number
masked) and rejects one with a reason; asks for suggestions for an empty place and invites (her
community first, others marked); removes a sick volunteer and the place is open again; exports
the month's attendance ledger. The second factor: `sign_in`'s session counts as one in which
she gave her authenticator's code (tests/conftest.py, _force_login_passes_mfa).
Screenshots go to /tmp/community/journey2-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By

from portal import roles
from portal.validators import id_number_check_char
from tests.browser.steps import (
    PageChecks,
    assert_fits,
    click_and_wait,
    page_text,
    screenshot,
    waiter,
)
from tests.factories import (
    CompoundFactory,
    ShiftFactory,
    SignupFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)
from volunteers.models import Signup, VolunteerProfile

pytestmark = pytest.mark.django_db(transaction=True)

ID_NUMBER = "11010519800101001" + id_number_check_char("11010519800101001")


def _shot(browser, name):
    screenshot(browser, f"journey2-{name}")


def _person(username, community, compound=None, **fields):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=username),
        community=community,
        compound=compound,
        **fields,
    )


def test_a_coordinator_staffs_the_week(
    browser, live_server, sign_in, client, community, compound, other_community, coordinator
):
    # her community: two people waiting, a gate shift tomorrow with one place taken by a
    # volunteer who will call in sick, a place left open the day after; another community's
    # volunteer and shift she must never see
    waiting = _person("waiting", community, compound, real_name="孙待审", id_number=ID_NUMBER)
    waiting.status = VolunteerProfile.Status.PENDING
    waiting.save()
    dubious = _person("dubious", community, compound, real_name="周不详", status="pending")
    sick = _person("sick", community, compound, real_name="吴生病")
    _person("neighbour", community, compound, real_name="郑邻居")
    outsider_compound = CompoundFactory(community=other_community, name="蔚园一区")
    outsider = _person("outsider", other_community, outsider_compound, real_name="冯外援")
    task = TaskFactory(community=community, compound=compound, title="北门值守")
    start = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    tomorrow = ShiftFactory(task=task, start=start, end=start + timedelta(hours=5), places=2)
    SignupFactory(shift=tomorrow, profile=sick, status="confirmed")
    tomorrow.taken = 1
    tomorrow.save()
    open_task = TaskFactory(
        community=community, compound=compound, title="南门值守", own_community_only=False
    )
    later = ShiftFactory(
        task=open_task, start=start + timedelta(days=1), end=start + timedelta(days=1, hours=5)
    )
    ShiftFactory(task=TaskFactory(community=other_community, title="蔚园南门值守"))

    # 1. The admin in Chinese: only her community, with its counts.
    checks = PageChecks()
    sign_in(browser, coordinator)
    browser.get(live_server.url + "/admin/")
    home = page_text(browser)
    assert "未来48小时有 3 个空缺名额" in home  # 1 tomorrow, 2 the day after; not 蔚园's
    assert "2 名志愿者待审核" in home
    assert "蔚园" not in home
    pending = browser.find_element(By.PARTIAL_LINK_TEXT, "名志愿者待审核")  # the count links
    assert "status=pending" in pending.get_attribute("href")
    assert_fits(browser)
    _shot(browser, "1-dashboard")
    checks(browser, "dashboard")

    # 2. She approves one volunteer from the profile (ID number masked), rejects another.
    browser.get(f"{live_server.url}/admin/volunteering/profiles/{waiting.pk}/review/")
    page = page_text(browser)
    assert ID_NUMBER not in browser.page_source and "110***********" in page
    assert_fits(browser)
    _shot(browser, "2-review")
    checks(browser, "review")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "input[value=approve] ~ button"))
    waiting.refresh_from_db()
    assert waiting.status == "verified"
    browser.get(f"{live_server.url}/admin/volunteering/profiles/{dubious.pk}/review/")
    browser.find_element(By.NAME, "reason").send_keys("请填写真实姓名")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button.no"))
    _shot(browser, "2b-rejected")
    dubious.refresh_from_db()
    assert dubious.status == "rejected" and dubious.rejection_reason == "请填写真实姓名"

    # 3. Suggestions for the open place: her community first, the other community marked.
    browser.get(f"{live_server.url}/admin/volunteering/shifts/{later.pk}/suggestions/")
    page = page_text(browser)
    assert page.index("郑邻居") < page.index("冯外援")
    assert page.count("外社区") == 1 and page.index("外社区") > page.index("冯外援")
    assert_fits(browser)
    _shot(browser, "3-suggestions")
    checks(browser, "suggestions")
    rows = browser.find_elements(By.CSS_SELECTOR, "tbody tr")
    click_and_wait(browser, rows[0].find_element(By.CSS_SELECTOR, "button[value=invite]"))
    invited = Signup.objects.get(shift=later, status="invited")
    assert invited.profile != outsider

    # 4. A volunteer calls in sick: she takes him off tomorrow's shift, saying why; she is told
    # whom she took off which shift, the place is open again, and he is not offered first.
    browser.get(f"{live_server.url}/admin/volunteering/shifts/{tomorrow.pk}/people/")
    assert "吴生病" in page_text(browser)
    click_and_wait(browser, browser.find_element(By.PARTIAL_LINK_TEXT, "移出班次"))
    assert "吴生病" in page_text(browser)
    assert_fits(browser)
    _shot(browser, "4-why")
    checks(browser, "remove from shift")
    browser.find_element(By.CSS_SELECTOR, "input[name=why][value=sick]").click()
    browser.find_element(By.NAME, "note").send_keys("发烧")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button.no"))
    # Wagtail's message fades in: wait for it to be shown rather than read the page too early
    said = f"吴生病 已从 {tomorrow} 移出"
    waiter(browser, 10).until(lambda b: said in page_text(b))
    page = page_text(browser)
    assert "已报 0 人，共需 2 人" in page and "生病：发烧" in page
    tomorrow.refresh_from_db()
    assert tomorrow.places_left == 2
    first = browser.find_element(By.CSS_SELECTOR, "#id_profile option")
    assert first.text != "吴生病"
    assert_fits(browser)
    _shot(browser, "4-removed")
    checks(browser, "shift people")

    # 5. The month's attendance ledger, as a spreadsheet, from the posts page's link.
    browser.get(live_server.url + "/admin/volunteering/posts/")
    checks(browser, "posts")
    checks.assert_valid()
    link = browser.find_element(By.PARTIAL_LINK_TEXT, "台账")
    href = link.get_attribute("href").removeprefix(live_server.url)
    response = client.get(href)  # the same person's session (sign_in made it with `client`)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
