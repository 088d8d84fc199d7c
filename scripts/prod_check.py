"""The checks of `make prod-check` (scripts/prod_check.sh starts the servers and sets the env).

Two gunicorn servers (WEB_A_PORT, WEB_B_PORT) share one PostgreSQL and one Redis, as N web
machines do behind nginx; every request carries the headers nginx adds. The checks:

1. HTTPS as nginx forwards it: plain http is redirected, the security headers are there.
2. Log-in by SMS code through the production SMS backend (to the stand-in gateway): the code
   is asked for on server A and typed on server B, then both know the person (sessions in
   Redis, no sticky sessions needed).
3. A rate limit counted on A holds on B (allauth's per-number limit on log-in codes).
4. Tasks run through the worker: a notification (SMS), a long spreadsheet import checked
   and then imported all or nothing (portal.importexport.jobs), and a bulk-certificate job
   (portal.document_jobs) whose ZIP lands in private storage, once however often delivered.
5. The cache is shared: what one server cached the other serves, and one invalidation clears
   it for both; the page cache holds the home page for both servers, and a page changed in the
   editor invalidates it and shows on both at once.
6. A race for the last places, from both servers at once, never overbooks.

Bounded: every wait has a deadline, every loop a count; traffic goes to 127.0.0.1 only.
"""

import json
import os
import re
import secrets
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import django
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

HOST = "portal.test"
SERVERS = {
    "A": f"http://127.0.0.1:{os.environ['WEB_A_PORT']}",
    "B": f"http://127.0.0.1:{os.environ['WEB_B_PORT']}",
}
OUTBOX = Path(os.environ["SMS_OUTBOX"])
RUN = secrets.token_hex(3)  # this run's records are told apart from earlier runs'
PASSED = []


def check(name, condition, detail=""):
    if not condition:
        print(f"FAIL {name} {detail}", file=sys.stderr)
        raise SystemExit(1)
    PASSED.append(name)
    print(f"ok   {name}")


def wait_for(what, probe, seconds=30, step=0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(step)
    print(f"FAIL timed out waiting for {what}", file=sys.stderr)
    raise SystemExit(1)


class Browser:
    """One person's browser, behind nginx: https as far as Django knows, cookies kept by hand
    (they are Secure, and the hop from nginx to gunicorn is plain http)."""

    def __init__(self, client_ip="127.0.0.10"):
        self.cookies = {}
        self.client_ip = client_ip

    def request(self, server, method, path, data=None, https=True):
        headers = {"Host": HOST, "X-Forwarded-For": self.client_ip, "Accept-Language": "zh-hans"}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers["Origin"] = f"https://{HOST}"
            headers["Referer"] = f"https://{HOST}{path}"
            data = {"csrfmiddlewaretoken": self.csrf_token(), **(data or {})}
        response = requests.request(
            method,
            SERVERS[server] + path,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=30,
        )
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, server, path, **kwargs):
        return self.request(server, "GET", path, **kwargs)

    def post(self, server, path, data=None):
        return self.request(server, "POST", path, data)

    def csrf_token(self):
        # The double-submit token: Django checks the form's token against the cookie's secret.
        return self.cookies.setdefault("csrftoken", secrets.token_hex(16))


def sms_to(phone):
    if not OUTBOX.exists():
        return []
    lines = OUTBOX.read_text(encoding="utf-8").splitlines()
    return [m["text"] for m in map(json.loads, lines) if m["phone"] == phone]


def url(name, *args):
    with translation.override("zh-hans"):
        return reverse(name, args=args)


# --- records for the checks ----------------------------------------------------------------


def seed():
    from portal import demo, roles
    from tests.factories import (
        CommunityFactory,
        CompoundFactory,
        PostFactory,
        ShiftFactory,
        TaskFactory,
        VolunteerProfileFactory,
        make_user,
    )

    home = demo.load_site()
    community = CommunityFactory(name=f"检查社区{RUN}", slug=f"check-{RUN}")
    compound = CompoundFactory(community=community, name=f"检查小区{RUN}")
    post = PostFactory(compound=compound, name="北门")
    task = TaskFactory(community=community, compound=compound, post=post, title="北门值守")
    start = (timezone.now() + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    shift = ShiftFactory(task=task, start=start, end=start + timedelta(hours=4), places=2)

    def volunteer(n):
        phone = f"139{secrets.randbelow(10**8):08d}"
        user = make_user(roles.VOLUNTEER, username=f"check-{RUN}-{n}", phone=phone)
        return VolunteerProfileFactory(user=user, community=community, compound=compound)

    return {
        "home": home,
        "community": community,
        "shift": shift,
        "volunteer": volunteer(0),
        "racers": [volunteer(n) for n in range(1, 9)],
        "admin": make_user(
            roles.SUBDISTRICT_ADMIN,
            username=f"check-{RUN}-admin",
            phone=f"139{secrets.randbelow(10**8):08d}",
        ),
    }


def logged_in_browser(user):
    """A browser whose session was made the way Django's login makes one, straight in Redis
    (as any process with the settings could); the SMS log-in itself is checked once, below."""
    from django.contrib.sessions.backends.cache import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    browser = Browser(client_ip=f"127.0.1.{user.pk % 250 + 1}")
    browser.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return browser


# --- the checks ----------------------------------------------------------------------------


def check_https_and_headers():
    browser = Browser()
    plain = browser.get("A", "/", https=False)
    check(
        "plain http is redirected to https",
        plain.status_code == 301 and plain.headers["Location"] == f"https://{HOST}/",
        f"{plain.status_code} {plain.headers.get('Location')}",
    )
    for server in SERVERS:
        page = browser.get(server, "/")
        check(f"home page over https on {server}", page.status_code == 200, page.status_code)
        headers = page.headers
        expected = {
            "Strict-Transport-Security": "max-age=31536000",
            "Content-Security-Policy": "default-src 'self'",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "X-Frame-Options": "SAMEORIGIN",
            "Permissions-Policy": "camera=()",
        }
        for header, value in expected.items():
            check(
                f"{header} on {server}",
                value in headers.get(header, ""),
                repr(headers.get(header)),
            )
        check(f"no server version on {server}", "gunicorn/" not in headers.get("Server", ""))


def check_sms_login_across_servers(volunteer):
    phone = volunteer.user.phone
    browser = Browser()
    browser.get("A", url("account_login"))
    response = browser.post("A", url("account_login"), {"login": phone})
    check(
        "log-in code asked for on A",
        response.status_code == 302 and "/code/confirm/" in response.headers["Location"],
        f"{response.status_code} {response.headers.get('Location')}",
    )
    text = wait_for("the log-in SMS", lambda: sms_to(phone), seconds=15)[-1]
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", text).group(1)
    response = browser.post("B", url("account_confirm_login_code"), {"code": code})
    check("log-in code typed on B", response.status_code == 302, response.status_code)
    set_cookie = response.headers.get("Set-Cookie", "")
    check(
        "session cookie is Secure and HttpOnly",
        "sessionid=" in set_cookie and "Secure" in set_cookie and "HttpOnly" in set_cookie,
        set_cookie,
    )
    for server in SERVERS:
        page = browser.get(server, url("volunteers:my_page"))
        check(f"logged in on {server}", page.status_code == 200, page.status_code)
    return browser


def check_rate_limit_across_servers(volunteer):
    # allauth sends at most three log-in codes a minute to one number ("request_login_code":
    # 3/m/key), counted in Redis: two asked on A and one on B use them up for both servers.
    phone = volunteer.user.phone
    answers = []
    for n, server in enumerate(["A", "B", "A", "B"]):
        browser = Browser(client_ip=f"127.0.2.{n + 1}")
        browser.get(server, url("account_login"))
        answers.append(browser.post(server, url("account_login"), {"login": phone}).status_code)
    check("three codes are sent, from either server", answers[:3] == [302, 302, 302], answers)
    check("the fourth is refused by the other server", answers[3] in (200, 429), answers)
    time.sleep(0.5)
    check("only three codes went out", len(sms_to(phone)) == 3, sms_to(phone))


def check_tasks_on_the_worker(world):
    from portal.notify import deliver

    user = world["racers"][0].user
    phone = user.phone
    type(user).objects.filter(pk=user.pk).update(email="")  # SMS only: no mail server here
    deliver.enqueue(user.pk, "donations/notify/verified", {"donor": "检查"})
    wait_for("the worker to send the notification", lambda: sms_to(phone), seconds=30)
    check("a notification task ran on the worker", True)
    check_import_on_the_worker(world)
    check_certificates_on_the_worker(world)


def check_import_on_the_worker(world):
    import tablib

    from portal.importexport.jobs import confirm_job, run_import_job, start_job
    from portal.models import Compound, ImportJob
    from portal.resources import CompoundResource

    rows = [[world["community"].name, f"批量小区{RUN}-{n}", "", n + 1] for n in range(400)]
    content = tablib.Dataset(*rows, headers=["社区", "小区", "地址", "户数"]).export("xlsx")
    before = Compound.objects.count()
    with translation.override("zh-hans"):
        job = start_job(
            user=world["admin"],
            model=Compound,
            resource_class=CompoundResource,
            file_format="xlsx",
            filename="小区.xlsx",
            content=content,
            rows=len(rows),
            urls={"index": "/admin/", "upload": "/admin/"},
        )  # autocommit: on_commit enqueues at once

    def finished():
        job.refresh_from_db()
        return job.finished

    wait_for("the worker to check the file", finished, seconds=60)
    check("a long import is checked on the worker", job.result.get("problems") == [], job.result)
    check("the check wrote nothing", Compound.objects.count() == before)
    check("confirming queues the import", confirm_job(job))
    check("a second confirmation does not", not confirm_job(job))
    wait_for("the worker to import the file", finished, seconds=60)
    check("the import wrote every row", Compound.objects.count() == before + 400)
    run_import_job.enqueue(job.pk)  # delivered twice: the finished job is left alone
    time.sleep(1.5)
    job.refresh_from_db()
    check(
        "a task run twice imports once",
        Compound.objects.count() == before + 400 and job.status == ImportJob.Status.DONE,
    )


def check_certificates_on_the_worker(world):
    import io
    import zipfile

    from portal.document_jobs import run_document_job, start_job
    from portal.models import DocumentJob
    from tests.factories import ShiftFactory, SignupFactory
    from volunteers.models import Attendance, Certificate

    profile = world["volunteer"]
    end = timezone.now() - timedelta(days=1)
    past = ShiftFactory(task=world["shift"].task, start=end - timedelta(hours=3), end=end)
    signup = SignupFactory(profile=profile, shift=past)
    Attendance.objects.create(
        signup=signup,
        check_in_at=past.start,
        check_out_at=past.end,
        status=Attendance.Status.CONFIRMED,  # only confirmed hours are certified
    )
    period = {
        "start": timezone.localdate(past.start).isoformat(),
        "end": timezone.localdate(end).isoformat(),
    }
    job = start_job(
        user=world["admin"],
        kind="volunteers.certificates",
        params={"profile_ids": [profile.pk], **period},
        total=1,
    )  # autocommit: on_commit enqueues at once

    def finished():
        job.refresh_from_db()
        return job.finished

    wait_for("the worker to make the certificates", finished, seconds=60)
    check("a bulk-certificate job ran on the worker", job.status == "done", job.error)
    with job.file.open("rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    serial = Certificate.objects.get(profile=profile).serial
    check(
        "its ZIP in private storage holds the certificate",
        names == [f"{profile.real_name}-{serial}.pdf"],
        names,
    )
    run_document_job.enqueue(job.pk)  # delivered twice: the finished job is left alone
    time.sleep(1.5)
    again = DocumentJob.objects.get(pk=job.pk)
    check(
        "a document job run twice makes one file",
        again.runs == 1
        and again.file == job.file
        and Certificate.objects.filter(profile=profile).count() == 1,
    )


def check_shared_cache(world):
    from content.cache import bump_content_version
    from portal.figures import CACHE_KEY, CACHE_SECONDS

    # What one process caches, every process reads, and one invalidation clears it for all:
    # the home page's figures (cached for a minute) inside its fragment cache (keyed by the
    # content version, which publishing bumps). Put figures in the cache as if one server had
    # just computed them and bump the version: both servers show them. Delete them and bump
    # again: both compute afresh.
    marker = str(700000 + secrets.randbelow(99999))
    figures = [
        ("open_places", int(marker)),
        ("volunteers_verified", 0),
        ("supplies_received", 0),
        ("supplies_distributed", 0),
    ]
    cache.set(CACHE_KEY, figures, CACHE_SECONDS)
    bump_content_version()
    browser = Browser()

    def shows(server, text):
        return text in browser.get(server, "/").text

    for server in SERVERS:
        check(f"{server} serves the shared cached figures", shows(server, marker))
    cache.delete(CACHE_KEY)
    bump_content_version()
    for server in SERVERS:
        check(f"one invalidation clears them for {server}", not shows(server, marker))

    # --- page-level cache ----------------------------------------------------------------
    # A page changed in the editor shows on both servers at once, and not merely because
    # neither caches it: the anonymous page cache (portal.pagecache, in Redis) must hold the
    # home page for both servers first. One server renders and stores it, then each serves it
    # from the shared cache (X-Page-Cache: hit). Publishing bumps the content version: the next
    # request renders afresh (miss) with the change, and the other server gets that new copy.
    from portal.pagecache import HEADER

    home = world["home"].specific
    first = browser.get("A", "/")
    check(
        "the home page may be cached (no cookie set, not skipped)",
        first.headers.get(HEADER) in ("miss", "hit") and not first.headers.get("Set-Cookie"),
        f"{first.headers.get(HEADER)} {first.headers.get('Set-Cookie')}",
    )
    for server in SERVERS:
        again = browser.get(server, "/")
        check(
            f"{server} serves the home page from the shared page cache",
            again.headers.get(HEADER) == "hit",
            again.headers.get(HEADER),
        )
    home.intro = f"检查{RUN}：首页已更新"
    home.save_revision().publish()
    fresh = browser.get("A", "/")
    check(
        "publishing invalidates the cached page (A renders it afresh, with the change)",
        fresh.headers.get(HEADER) == "miss" and home.intro in fresh.text,
        fresh.headers.get(HEADER),
    )
    for server in SERVERS:
        page = browser.get(server, "/")
        check(
            f"a published change shows on {server}, from the shared cache",
            home.intro in page.text and page.headers.get(HEADER) == "hit",
            page.headers.get(HEADER),
        )


def check_race_for_the_last_places(world):
    from volunteers.models import Shift, Signup

    shift = world["shift"]
    racers = [logged_in_browser(profile.user) for profile in world["racers"]]
    path = url("volunteers:sign_up", shift.pk)
    for browser in racers:
        browser.get("A", url("volunteers:shift", shift.pk))  # the page each of them has open
    barrier = threading.Barrier(len(racers))
    answers = [None] * len(racers)

    def race(n, browser):
        barrier.wait(timeout=30)
        answers[n] = browser.post("AB"[n % 2], path)

    threads = [threading.Thread(target=race, args=(n, b)) for n, b in enumerate(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    won = [
        a
        for a in answers
        if a is not None and a.headers.get("Location") == url("volunteers:my_page")
    ]
    check(
        "every racer got an answer",
        all(a is not None and a.status_code == 302 for a in answers),
        [getattr(a, "status_code", None) for a in answers],
    )
    shift = Shift.objects.get(pk=shift.pk)
    live = Signup.objects.filter(shift=shift, status__in=Signup.LIVE).count()
    check(
        f"{len(racers)} racers from two servers, {shift.places} places: no overbooking",
        len(won) == shift.places and live == shift.places and shift.taken == shift.places,
        f"won={len(won)} live={live} taken={shift.taken} places={shift.places}",
    )


def main():
    started = time.monotonic()
    world = seed()
    check_https_and_headers()
    check_sms_login_across_servers(world["volunteer"])
    check_rate_limit_across_servers(world["racers"][1])
    check_tasks_on_the_worker(world)
    check_shared_cache(world)
    check_race_for_the_last_places(world)
    print(f"({time.monotonic() - started:.0f} s)")
    print(f"prod-check: {len(PASSED)} passed, 0 failed")


if __name__ == "__main__":
    main()
