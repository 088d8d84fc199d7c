"""`load_demo_data --scale`: a subdistrict after a year, at a tiny size (the same code as the
year, with the hidden count options). Runs on SQLite by default and on PostgreSQL with
DATABASE_URL=postgres://..."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from wagtail.models import Page

from portal import scale
from portal.management.commands import load_demo_data

TINY = {
    "scale": "year",
    "volunteers": 60,
    "shifts_per_week": 28,
    "weeks": 3,
    "pages": 40,
    "movements": 400,
    "help_requests": 30,
}


# The module's tests share one worker (make test runs `--dist loadgroup`): the base is built
# once per run.
pytestmark = pytest.mark.xdist_group("scale")


@pytest.fixture(scope="module")
def _base(django_db_setup, django_db_blocker):
    """What the year builds on, without the whole demo (slow): places, accounts, the site,
    the content indexes and sections, the supply catalogue. Built once for the module in a
    transaction rolled back after its last test; each test runs in a savepoint inside it."""
    from content import demo as content_demo
    from donations.demo import ITEMS
    from donations.models import Item
    from portal import demo

    with django_db_blocker.unblock(), transaction.atomic():
        demo.load_places()
        demo.load_accounts()
        home = demo.load_site()
        content_demo.load_indexes(home)
        content_demo.load_sections(home)
        for name, category, unit, spec, expiry in ITEMS:
            Item.objects.create(
                name=name, category=category, unit=unit, specification=spec, tracks_expiry=expiry
            )
        yield
        transaction.set_rollback(True)


@pytest.fixture
def base(_base, db, monkeypatch):
    monkeypatch.setattr(load_demo_data, "APP_LOADERS", [])


def counts():
    from assistance.models import HelpRequest, HelpRequestLine
    from content.models import NoticePage, StoryPage
    from donations.models import Balance, Distribution, Lot, Movement, Receipt
    from volunteers.models import Attendance, Shift, Signup, Task, VolunteerProfile

    models = [
        VolunteerProfile,
        Task,
        Shift,
        Signup,
        Attendance,
        Page,
        NoticePage,
        StoryPage,
        Movement,
        Balance,
        Lot,
        Receipt,
        Distribution,
        HelpRequest,
        HelpRequestLine,
    ]
    return {model.__name__: model.objects.count() for model in models}


def test_the_year_at_a_tiny_scale_is_consistent_and_idempotent(base, client):
    from content.models import CommunitySectionPage, NoticeIndexPage, NoticePage, StoryPage
    from donations.models import Balance, Movement
    from volunteers.models import Shift, Signup, VolunteerProfile

    before = counts()
    call_command("load_demo_data", quiet=True, **TINY)
    first = counts()
    call_command("load_demo_data", quiet=True, **TINY)
    assert counts() == first  # the second run adds nothing

    added = {name: first[name] - before[name] for name in first}
    assert added["VolunteerProfile"] == 60
    assert added["Shift"] == 28 * 3
    assert added["Movement"] == 400
    assert added["HelpRequest"] == 30
    assert added["NoticePage"] + added["StoryPage"] == 40 == added["Page"]

    # the page tree is valid and the ledger agrees with the balances (what the command checks)
    assert scale.check() == []
    assert all(not found for found in Page.find_problems())
    assert Balance.objects.filter(quantity__lt=0).count() == 0
    assert set(Movement.objects.values_list("kind", flat=True)) >= {
        "receive",
        "transfer",
        "distribute",
    }

    # each shift's count of places taken is its holding sign-ups, within its places
    for shift in Shift.objects.annotate(
        holding=Count("signups", filter=Q(signups__status__in=Signup.HOLDING))
    ):
        assert shift.taken == shift.holding <= shift.places
    # nobody is on two shifts at the same time
    starts = (
        Signup.objects.live()
        .values("profile_id", "shift__start")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not starts.exists()
    # invented people, one ID number each (the hash is unique) and a readable profile
    profiles = VolunteerProfile.objects.filter(user__username__startswith="yv")
    assert profiles.exclude(id_number="").count() > 20
    assert all(len(p.real_name) >= 2 for p in profiles)

    # the bulk-made pages are real pages: listed, reachable at their URL, their section's
    notice = NoticePage.objects.filter(slug__startswith="y-").order_by("-date", "-pk").first()
    response = client.get(notice.url)
    assert response.status_code == 200
    assert notice.title in response.content.decode()
    assert notice.get_parent().specific_class in (NoticeIndexPage, CommunitySectionPage)
    in_section = NoticePage.objects.filter(slug__startswith="y-", community__isnull=False).first()
    if in_section is not None:
        assert in_section.get_parent().specific.community == in_section.community
    story = StoryPage.objects.filter(slug__startswith="y-").first()
    assert client.get(story.url).status_code == 200
    index = NoticeIndexPage.objects.get()
    assert client.get(index.url).status_code == 200
    # a page can still be added the ordinary way after the bulk insert
    extra = NoticePage(title="之后的通知", slug="after-the-year")
    index.refresh_from_db()
    index.add_child(instance=extra)
    assert all(not found for found in Page.find_problems())


def test_sizes_take_a_factor_or_the_year():
    year = scale.Sizes.build("year")
    assert year.volunteers == 10_000 and year.movements == 100_000 and year.weeks == 52
    tenth = scale.Sizes.build("0.1", help_requests=7)
    assert tenth.volunteers == 1_000 and tenth.help_requests == 7 and tenth.weeks == 52
    with pytest.raises(ValueError):
        scale.Sizes.build("-1")


def test_a_bad_scale_is_refused(base):
    with pytest.raises(CommandError, match="--scale"):
        call_command("load_demo_data", quiet=True, scale="lots")


def _bench():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "load.py"
    spec = importlib.util.spec_from_file_location("bench_load", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_load_bench_signs_volunteers_in_server_side_and_its_sign_ups_pass_csrf(base):
    from volunteers.models import Signup

    bench = _bench()
    sizes = scale.Sizes.build(**{k: v for k, v in TINY.items()})
    scale.load(sizes)
    plan = bench.prepare(3)
    assert len(plan["volunteers"]) == 3 and plan["shifts"] and plan["anonymous"]

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    session, shift = plan["sign_ups"][0]
    client.cookies[plan["session_cookie"]] = session
    client.cookies[plan["csrf_cookie"]] = bench.CSRF_TOKEN
    page = client.get(plan["volunteer_pages"][0])
    assert page.status_code == 200  # signed in by the session alone
    before = Signup.objects.count()
    response = client.post(
        f"/volunteers/shifts/{shift}/sign-up/",
        {"csrfmiddlewaretoken": bench.CSRF_TOKEN},
        HTTP_X_CSRFTOKEN=bench.CSRF_TOKEN,
    )
    assert response.status_code == 302
    # CSRF passed (a refusal would be 403): the sign-up was made, or the rules refused it with
    # a message (the year's volunteers are busy: the weekly hours cap often says no).
    from django.contrib.messages import get_messages

    refused = [str(m) for m in get_messages(response.wsgi_request)]
    assert Signup.objects.count() == before + 1 or refused
    for path in plan["anonymous"][:5] + plan["board"]:
        assert Client().get(path).status_code == 200, path
    # phase 4: each page, signed in by its session alone (the coordinator's passes the
    # staff door: a second factor given, logged in just now)
    names = [name for name, _path, _sessions in plan["each_page"]]
    assert names[:4] == ["volunteer_me", "shift_list", "donor_page", "coordinator_dashboard"]
    for name, path, sessions in plan["each_page"]:
        visitor = Client()
        if sessions is not None:
            if not sessions:
                assert name == "donor_page"  # the tiny year has no donor's representative
                continue
            visitor.cookies[plan["session_cookie"]] = sessions[0]
        response = visitor.get(path)
        assert response.status_code == 200, (name, response.status_code)
        if sessions is not None:
            assert response.wsgi_request.user.is_authenticated, name


def test_the_load_bench_summary():
    bench = _bench()
    results = [("anonymous", 200, float(ms)) for ms in range(1, 101)]
    results += [("signup", 302, 5.0), ("signup", 500, 5.0), ("signup", 0, 5.0), ("x", 429, 1.0)]
    found = bench.summary(results, elapsed=2.0)
    assert found["requests"] == 104 and found["rps"] == 52.0
    assert found["errors"] == 2 and found["limited"] == 1
    assert found["p50_ms"] == 49.0 and found["p99_ms"] == 99.0


def test_the_load_bench_keeps_each_users_connection_and_reads_every_kind_of_answer():
    """The bench's users keep one connection open as browsers and nginx do: answers with a
    length, chunked answers and answers that end with the connection are all read whole (the
    next request on the connection must get its own answer, not the rest of the last), and a
    connection the server closed meanwhile is opened again without a failed request."""
    import asyncio

    bench = _bench()
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.1 302 Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 429 Too Many\r\nContent-Length: 1\r\n\r\nx",
    ]
    connections, requests = [], []

    async def serve(reader, writer):
        connections.append(writer)
        while line := await reader.readline():
            requests.append(line)
            while await reader.readline() not in (b"\r\n", b""):
                pass
            writer.write(answers[len(requests) - 1])
            await writer.drain()
            if len(requests) in (3, 4):  # after its "Connection: close", and once unasked
                break
        writer.close()

    async def run():
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        client = bench.Client("127.0.0.1", port, {"csrf_cookie": "c", "session_cookie": "s"})
        connection = client.connection()
        statuses = []
        for number in range(5):
            status, _ms = await connection.send(client.request("GET", f"/{number}"))
            statuses.append(status)
            await asyncio.sleep(0.05)  # the server closes its end before the next request
        connection.close()
        server.close()
        await server.wait_closed()
        return statuses

    assert asyncio.run(run()) == [200, 302, 404, 201, 429]
    assert [line.split()[1] for line in requests] == [b"/0", b"/1", b"/2", b"/3", b"/4"]
    assert len(connections) == 3  # one kept for three answers, two opened again


def test_each_user_of_the_page_phase_is_one_person():
    bench = _bench()
    sessions = ["a", "b", "c"]
    assert [bench._own(sessions, user) for user in range(5)] == ["a", "b", "c", "a", "b"]
    assert bench._own([], 3) is None
