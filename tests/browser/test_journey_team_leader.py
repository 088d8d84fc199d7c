"""Journey 7 on a 375 px phone (docs/journeys/team-leader.md): the community makes a party
branch team and appoints its leader; she sees only her team, prints its QR code, approves a
member's request in one list, publishes a project with its gate shifts; the member joins the
project, takes a shift and shows his e-card, which the gate checks. At each step: what the
person sees, that the page fits the phone, valid HTML and no serious accessibility fault.
Screenshots go to /tmp/community/journey7-*.png."""

from datetime import timedelta

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from portal import roles
from tests.browser.quality import assert_accessible, assert_valid_html
from tests.browser.steps import assert_fits, click_and_wait, page_text, screenshot
from tests.factories import VolunteerProfileFactory, make_user
from volunteers.models import Project, Signup, Task, Team, TeamMembership
from volunteers.services import cards
from volunteers.services import teams as team_services

pytestmark = pytest.mark.django_db(transaction=True)


def _shot(browser, name):
    screenshot(browser, f"journey7-{name}")


def _check(browser, pages, name):
    """The page fits the phone, is valid HTML and has no serious accessibility fault. Our
    markup only: in the back office, Wagtail's own shell fails the HTML checker (a <div> in
    its account <button>, colspan on a <tr> of its shortcuts dialog), so there the page is
    held to axe-core alone. The HTML is kept in `pages`, checked in one run of the Nu checker
    at the end of the journey (a run starts Java)."""
    assert_fits(browser)
    if "/admin/" not in browser.current_url:
        # the DOM as the browser holds it, with the doctype it serialises without
        pages[name] = "<!DOCTYPE html>" + browser.page_source
    assert_accessible(browser)
    _shot(browser, name)


def _set(browser, element_id, value):
    field = browser.find_element(By.ID, element_id)
    browser.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        field,
        value,
    )


def _person(username, community, compound, name):
    return VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username=username),
        community=community,
        compound=compound,
        real_name=name,
    )


def test_a_party_branch_leader_runs_her_team(
    browser, live_server, sign_in, community, compound, post, coordinator
):
    secretary = _person("secretary", community, compound, "王书记")
    member = _person("member", community, compound, "李晓红")
    other_team = team_services.create_team(name="民岳家园青年突击队", community=community)
    neighbour = _person("neighbour", community, compound, "周别队")
    team_services.request_to_join(neighbour, other_team)

    pages = {}  # name: HTML, for the Nu checker at the end

    # 1. The community makes the team and appoints its leader.
    sign_in(browser, coordinator)
    browser.get(live_server.url + "/admin/volunteers_teams/new/")
    browser.find_element(By.ID, "id_name").send_keys("公交集团在职党员服务队")
    Select(browser.find_element(By.ID, "id_kind")).select_by_value("party_branch")
    Select(browser.find_element(By.ID, "id_community")).select_by_value(str(community.pk))
    browser.find_element(By.ID, "id_work_unit").send_keys("北京公交集团第一客运分公司")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "footer button.button-longrunning")
    )
    team = Team.objects.get(name="公交集团在职党员服务队")
    assert team.kind == "party_branch" and team.community == community
    browser.get(f"{live_server.url}/admin/volunteering/teams/{team.pk}/people/")
    Select(browser.find_element(By.ID, "id_leader")).select_by_visible_text("王书记")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[value=lead]"))
    assert "王书记" in page_text(browser) and "队长" in page_text(browser)
    secretary.user.refresh_from_db()
    assert secretary.user.groups.filter(name=roles.TEAM_LEADER).exists()

    # 2. She sees only her team.
    sign_in(browser, secretary.user)
    browser.get(live_server.url + "/admin/volunteers_teams/")
    listing = page_text(browser)
    assert "公交集团在职党员服务队" in listing and "民岳家园青年突击队" not in listing
    assert_fits(browser)
    _shot(browser, "2-my-teams")
    browser.get(f"{live_server.url}/admin/volunteering/teams/{team.pk}/people/")
    people = page_text(browser)
    assert "没有待处理的申请" in people and "王书记" in people and "周别队" not in people
    _check(browser, pages, "2b-people")

    # 3. She prints the team's QR code.
    browser.get(f"{live_server.url}/volunteers/teams/{team.code}/qr/")
    poster = page_text(browser)
    assert "公交集团在职党员服务队" in poster and "扫码申请加入队伍" in poster
    assert browser.find_elements(By.CSS_SELECTOR, ".qr svg")
    assert f"/volunteers/teams/{team.code}/" in poster and "王书记" not in poster
    _check(browser, pages, "3-qr")

    # 4. A member scans it and asks to join.
    sign_in(browser, member.user)
    browser.get(f"{live_server.url}/volunteers/teams/{team.code}/")
    page = page_text(browser)
    assert "公交集团在职党员服务队" in page and "北京公交集团第一客运分公司" in page
    _check(browser, pages, "4-team-page")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button.v-cta"))
    assert "申请已提交，等待队长审核" in page_text(browser)
    assert TeamMembership.objects.get(team=team, profile=member).status == "pending"

    # 5. She approves in one list.
    sign_in(browser, secretary.user)
    browser.get(f"{live_server.url}/admin/volunteering/teams/{team.pk}/people/")
    assert "李晓红" in page_text(browser) and "入队申请 (1)" in page_text(browser)
    _check(browser, pages, "5-requests")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "button[value=approve]"))
    assert "已通过 1 条申请" in page_text(browser)
    assert TeamMembership.objects.get(team=team, profile=member).status == "approved"

    # 6. She publishes the project and its gate shifts.
    browser.get(live_server.url + "/admin/volunteers_projects/new/")
    today = timezone.localdate()
    browser.find_element(By.ID, "id_title").send_keys("民岳家园卡口值守 · 2月")
    Select(browser.find_element(By.ID, "id_team")).select_by_value(str(team.pk))
    _set(browser, "id_start_date", today.isoformat())
    _set(browser, "id_end_date", (today + timedelta(days=27)).isoformat())
    browser.find_element(By.ID, "id_places").clear()
    browser.find_element(By.ID, "id_places").send_keys("40")
    Select(browser.find_element(By.ID, "id_status")).select_by_value("published")
    click_and_wait(
        browser, browser.find_element(By.CSS_SELECTOR, "footer button.button-longrunning")
    )
    project = Project.objects.get(title="民岳家园卡口值守 · 2月")
    assert project.team == team and project.community == community
    browser.get(f"{live_server.url}/admin/volunteering/projects/{project.pk}/task/")
    browser.find_element(By.ID, "id_title").send_keys("北门值守")
    Select(browser.find_element(By.ID, "id_post")).select_by_value(str(post.pk))
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name=weekdays]"):
        browser.execute_script("arguments[0].checked = true", box)
    browser.find_element(By.ID, "id_time_ranges_text").send_keys("07:00-12:00\n12:00-19:00")
    browser.find_element(By.ID, "id_places").send_keys("2")
    _check(browser, pages, "6-task")
    click_and_wait(browser, browser.find_element(By.ID, "add-task"))
    assert "任务和班次已添加到项目" in page_text(browser)
    task = Task.objects.get(project=project)
    assert task.shifts.count() >= 2 * 7  # two a day, made the usual days ahead

    # 7. The member joins the project and takes a shift.
    sign_in(browser, member.user)
    browser.get(f"{live_server.url}/volunteers/projects/{project.code}/")
    page = page_text(browser)
    assert "民岳家园卡口值守 · 2月" in page and "40" in page and "加入项目" in page
    _check(browser, pages, "7-project")
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button.v-cta"))
    assert "你已加入项目" in page_text(browser)
    take = browser.find_elements(By.CSS_SELECTOR, ".v-shift-card a.button")[0]
    browser.get(take.get_attribute("href"))
    click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button.v-cta"))
    assert Signup.objects.filter(profile=member, shift__task=task, status="confirmed").exists()

    # 8. His e-card, and what the gate sees when it scans it.
    browser.get(live_server.url + "/volunteers/me/card/")
    card = page_text(browser)
    assert "志愿者电子证" in card and "李晓红" in card and "公交集团在职党员服务队" in card
    assert cards.volunteer_number(member) in card
    assert browser.find_elements(By.CSS_SELECTOR, ".qr svg")
    _check(browser, pages, "8-card")
    browser.delete_all_cookies()  # the gate post's phone: nobody signed in
    browser.get(f"{live_server.url}/volunteers/card/{cards.card_token(member)}/")
    gate = page_text(browser)
    assert "志愿者证件有效" in gate and "李**" in gate and "李晓红" not in gate
    assert "民岳家园社区" in gate and "此时没有班次" in gate
    _check(browser, pages, "8b-gate")
    assert set(pages) == {"3-qr", "4-team-page", "7-project", "8-card", "8b-gate"}
    assert_valid_html(pages)
