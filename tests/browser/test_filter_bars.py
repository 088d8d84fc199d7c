"""Every filter bar and choice on a public page, at 375 px: each field lies inside the screen
and a select's chosen words are not cut off (the open shifts' 服务类型 filter was squeezed into
a grid column narrower than its words)."""

import pytest
from django.utils import timezone

from portal import roles
from tests.factories import (
    DonorFactory,
    DonorRepresentativeFactory,
    ShiftFactory,
    TaskFactory,
    VolunteerProfileFactory,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

# For each visible field in <main>: its box against the screen and, for a select, the width
# its chosen words need (in its own font) against the room inside it (less the arrow).
MEASURE = """
const out = [];
const ctx = document.createElement('canvas').getContext('2d');
for (const el of document.querySelectorAll(
    'main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), main button')) {
  const box = el.getBoundingClientRect();
  if (!box.width) continue;
  const name = el.name || el.id || el.textContent.trim();
  if (box.left < 0 || box.right > window.innerWidth + 0.5)
    out.push(`${name}: ${box.left}..${box.right} outside 0..${window.innerWidth}`);
  if (el.tagName === 'SELECT' && el.selectedIndex >= 0) {
    const style = getComputedStyle(el);
    ctx.font = style.font;
    const words = ctx.measureText(el.options[el.selectedIndex].text).width;
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 16;
    if (words > room) out.push(`${name}: "${el.options[el.selectedIndex].text}" needs ${words}px, has ${room}px`);
  }
}
return out;
"""


def _cut_off(browser):
    return browser.execute_script(MEASURE)


def test_public_filter_bars_and_choices_fit_a_phone(
    browser, live_server, sign_in, community, compound, post
):
    task = TaskFactory(community=community, compound=compound, post=post, title="北门值守")
    start = timezone.now() + timezone.timedelta(days=1)
    ShiftFactory(task=task, start=start, end=start + timezone.timedelta(hours=5))
    volunteer = VolunteerProfileFactory(
        user=make_user(roles.VOLUNTEER, username="xiaohong"), community=community, compound=compound
    )
    problems = {}
    pages = ["/volunteers/shifts/", "/volunteers/shifts/?kind=temperature", "/donations/board/"]
    for path in pages:
        browser.get(live_server.url + path)
        problems[path] = _cut_off(browser)
    sign_in(browser, volunteer.user)
    for path in ["/volunteers/shifts/", "/volunteers/profile/", "/assistance/help/"]:
        browser.get(live_server.url + path)
        problems["signed in " + path] = _cut_off(browser)
    rep = make_user(roles.DONOR_REP, username="rep")
    donor = DonorFactory(name="北京公共交通控股(集团)有限公司")
    DonorRepresentativeFactory(user=rep, donor=donor)
    sign_in(browser, rep)
    for path in [f"/donations/donor/{donor.pk}/pledge/", "/donations/donor/register/"]:
        browser.get(live_server.url + path)
        problems["donor " + path] = _cut_off(browser)
    assert {path: found for path, found in problems.items() if found} == {}
