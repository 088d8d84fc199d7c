"""Load test: a Monday-morning rush against the production stack (gunicorn with production
settings, PostgreSQL, Redis), from a bounded asyncio client, only to 127.0.0.1.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_scale \\
    REDIS_URL=redis://127.0.0.1:6379/0 python bench/load.py [--duration 30] [--users 50]

It starts gunicorn itself on --port with production's deploy/gunicorn.conf.py (and stops it
at the end), unless --url names a server already running with the same DATABASE_URL and
REDIS_URL (the sessions are made in them). The data is whatever the database holds:
`manage.py load_demo_data --scale year` for the year.

Four phases, same server, same run:
  1. /healthz for --probe seconds (the floor: one tiny query per request);
  2. a few anonymous pages, already warm, for --probe seconds (what the page cache gives);
  3. the mixed load for --duration seconds: anonymous page views 70%, signed-in volunteers'
     pages 20%, sign-ups (POST) 5%, the supply board and a donor's page 5%; each user sends
     the next request the instant an answer arrives, or with --think-ms pauses between them
     as in phase 4;
  4. each page on its own (issue 13, point 2) for --page-seconds, --page-users users at once:
     the signed-in volunteer's page (/volunteers/me/), the shift list, the donor's page and
     the coordinator's dashboard (/admin/, a session with a second factor given), then the
     anonymous home page, shift list and notices.
Each user keeps one connection open from one request to the next, as a browser does and as
nginx does with gunicorn (deploy/nginx keeps connections to the upstream); --close opens a
new one for each request instead. Each user of phase 4 and of --issue is one person all
along, the one whose caches were warmed before the phase. Signed-in people get sessions made
server-side (the session store, with the session auth hash), not by SMS; sign-ups carry a
CSRF cookie and its token.

For each page of phase 4 it prints one JSON line: page, url, signed_in, users, think_ms, rps,
p50_ms, p95_ms, p99_ms, errors, requests, target_p95_ms (100) and within_target.

`--issue` measures exactly issue 13's figure and nothing else: --page-users (20) signed-in
users at once over the four signed-in pages (each user picks one of the four at random for
each request, as the volunteer, the donor's representative or the coordinator), for
--page-seconds, printing one JSON line per page (mode "signed_in_mix") with p50/p95/p99, then
the same for each page alone (mode "each_page"). Each is run with no pause between a user's
requests (think_ms 0: the worst case, every user clicking again the instant a page arrives) and,
if --think-ms is given, again with that pause: after each answer a user waits a time drawn
uniformly between half and one and a half times --think-ms (real people read a page before the
next click). think_ms is in every line; both figures are printed. Then one JSON line for
the rest: rps, p50_ms, p95_ms, p99_ms, errors (statuses >= 400 other than 429, and failed
connections), limited (429), healthz_rps, anonymous_rps_cached, anonymous_ratio
(anonymous_rps_cached / healthz_rps), the counts by kind and each kind's p95, think_ms,
target_p95_ms (300) and within_target (p95 under it, no error, anonymous_ratio >= 0.5). `--pages-only` runs phase 4
alone. Without PostgreSQL in DATABASE_URL it prints why on stderr and exits 0 (so `make bench`
passes on a laptop).
"""

import argparse
import asyncio
import json
import os
import random
import secrets
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CSRF_TOKEN = "".join(random.Random(7).choices(string.ascii_letters + string.digits, k=32))
MIX = [("anonymous", 70), ("volunteer", 20), ("signup", 5), ("board", 5)]
TARGET_P95_MS = 100  # issue 13, point 2: each signed-in page at 20 users on 2 cores
TARGET_MIXED_P95_MS = 300  # issue 13, point 7: the mixed load at 50 users on 2 cores


def production_env(database_url, redis_url):
    """The environment of a production server on this machine (placeholder SMS and email
    gateways: nothing is contacted). The field keys are the ones the demo data was loaded with
    (the environment's, else the development settings' own)."""
    keys = os.environ.get("FIELD_ENCRYPTION_KEYS")
    hash_key = os.environ.get("FIELD_HASH_KEY")
    if not keys or not hash_key:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
        from portal.settings import dev

        keys = keys or ",".join(dev.FIELD_ENCRYPTION_KEYS)
        hash_key = hash_key or dev.FIELD_HASH_KEY
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(60),
        FIELD_ENCRYPTION_KEYS=keys,
        FIELD_HASH_KEY=hash_key,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # production refuses to start without its public address (links in SMS and QR codes)
        SITE_URL=os.environ.get("BENCH_SITE_URL", "https://portal.example.org"),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SMS_BACKEND="portal.sms.HttpBackend",
        SMS_API_URL="https://sms-gateway.example.org/send",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    return env


# --- preparing (runs inside Django, in a child process with the production environment) -----
def prepare(users):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.urls import reverse
    from django.utils import timezone

    from content.models import CommunitySectionPage, NoticePage, StoryPage
    from content.models.pages import index_pages
    from portal.models import User
    from volunteers.models import Shift, VolunteerProfile

    store = import_module(settings.SESSION_ENGINE).SessionStore

    def session_for(user, staff=False):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if staff:  # as after a log-in with an authenticator code (portal/accounts/staff.py)
            from allauth.account.internal.flows.login import record_authentication
            from django.http import HttpRequest

            from portal.accounts.staff import LOGIN_AT_SESSION_KEY

            fake = HttpRequest()
            fake.session = session
            record_authentication(fake, user, "mfa", type="totp")
            session[LOGIN_AT_SESSION_KEY] = time.time()
        session.create()
        return session.session_key

    profiles = (
        VolunteerProfile.objects.filter(status="verified", user__isnull=False)
        .select_related("user")
        .order_by("-user__username")[:users]
    )
    volunteers = [session_for(p.user) for p in profiles]
    # Tasks take their own community's volunteers: each sign-up pairs a volunteer with an open
    # shift of their community.
    sign_ups = []
    for profile, session in zip(profiles, volunteers, strict=True):
        own = Shift.objects.open().public().filter(task__community_id=profile.community_id)
        sign_ups += [
            (session, pk) for pk in own.order_by("start").values_list("pk", flat=True)[:20]
        ]
    donor = User.objects.filter(donor_representations__isnull=False).order_by("pk").first()
    shifts = list(
        Shift.objects.open().public().order_by("start").values_list("pk", flat=True)[:500]
    )
    indexes = [page.url for page in index_pages().values()]
    pages = []
    for model, count in [(NoticePage, 300), (StoryPage, 150), (CommunitySectionPage, 37)]:
        pages += [p.url for p in model.objects.live().order_by("-pk")[:count]]
    anonymous = ["/", *indexes, reverse("volunteers:index"), reverse("donations:index"), *pages]
    coordinator = User.objects.filter(username="coordinator", is_active=True).first()
    donor_session = session_for(donor) if donor else None
    # phase 4: (name, url, sessions or None for anonymous)
    each_page = [
        ("volunteer_me", reverse("volunteers:my_page"), volunteers),
        ("shift_list", reverse("volunteers:shifts"), volunteers),
        ("donor_page", reverse("donations:mine"), [donor_session] if donor else []),
        (
            "coordinator_dashboard",
            reverse("wagtailadmin_home"),
            [session_for(coordinator, staff=True)] if coordinator else [],
        ),
        ("home_anonymous", "/", None),
        ("shift_list_anonymous", reverse("volunteers:shifts"), None),
    ]
    if indexes:
        each_page.append(("notices_anonymous", indexes[0], None))
    return {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "volunteers": volunteers,
        "donor": donor_session,
        "each_page": each_page,
        "shifts": shifts,
        "sign_ups": sign_ups,
        "anonymous": anonymous,
        "cached": ["/", *indexes, *pages[:10]],
        "volunteer_pages": [reverse("volunteers:my_page"), reverse("volunteers:shifts")],
        "board": [reverse("donations:board"), reverse("donations:index")],
        "donor_pages": [reverse("donations:mine")],
        "now": timezone.now().isoformat(),
    }


# --- the client -----------------------------------------------------------------------------
class Client:
    def __init__(self, host, port, plan, keep_alive=True):
        self.host, self.port, self.plan = host, port, plan
        self.origin = f"https://{host}:{port}"
        self.keep_alive = keep_alive

    def request(self, method, path, session=None, body=b""):
        cookies = [f"{self.plan['csrf_cookie']}={CSRF_TOKEN}"]
        if session:
            cookies.append(f"{self.plan['session_cookie']}={session}")
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "X-Forwarded-Proto: https",  # as the TLS proxy in front of gunicorn says
            "Accept-Language: zh-hans",
            "User-Agent: portal-bench",
            f"Connection: {'keep-alive' if self.keep_alive else 'close'}",
            f"Cookie: {'; '.join(cookies)}",
        ]
        if method == "POST":
            lines += [
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
                f"X-CSRFToken: {CSRF_TOKEN}",
                f"Origin: {self.origin}",
                f"Referer: {self.origin}{path}",
            ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def connection(self):
        return Connection(self)

    async def send(self, raw):
        """One request on a connection of its own (warming, waiting for the server)."""
        connection = Connection(self)
        try:
            return await connection.send(raw)
        finally:
            connection.close()


class Connection:
    """One user's connection: kept open from one request to the next, as a browser does with
    the proxy and nginx does with gunicorn (deploy/nginx: `keepalive` to the upstream); opened
    again when the server closed it. With `--close`, a new connection for each request."""

    def __init__(self, client):
        self.client = client
        self.reader = self.writer = None

    async def send(self, raw):
        """The status (0 when the connection failed) and the time taken in milliseconds."""
        started = time.perf_counter()
        try:
            status = await self._exchange(raw, retry=self.writer is not None)
        except (OSError, ValueError, IndexError, asyncio.IncompleteReadError):
            self.close()
            status = 0
        return status, (time.perf_counter() - started) * 1000

    async def _exchange(self, raw, retry):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.client.host, self.client.port
            )
        self.writer.write(raw)
        await self.writer.drain()
        head = await self.reader.readline()
        if not head and retry:  # the server closed a connection kept from before: again
            self.close()
            return await self._exchange(raw, retry=False)
        status = int(head.split()[1])
        length, chunked, close = None, False, not self.client.keep_alive
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                chunked = "chunked" in value
            elif name == "connection":
                close = close or value == "close"
        if chunked:
            while size := int((await self.reader.readline()).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            while await self.reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
        elif length is not None:
            await self.reader.readexactly(length)
        else:  # the body runs to the end of the connection
            close = True
            while await self.reader.read(65536):
                pass
        if close:
            self.close()
        return status

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def pick_mixed(plan, rng):
    kind = rng.choices([k for k, _w in MIX], weights=[w for _k, w in MIX])[0]
    if kind == "volunteer" and not plan["volunteers"]:
        kind = "anonymous"
    if kind == "signup" and not plan["sign_ups"]:
        kind = "anonymous"
    if kind == "anonymous":
        return kind, "GET", rng.choice(plan["anonymous"]), None
    if kind == "volunteer":
        session = rng.choice(plan["volunteers"])
        paths = plan["volunteer_pages"] + [f"/volunteers/shifts/{rng.choice(plan['shifts'])}/"]
        return kind, "GET", rng.choice(paths), session
    if kind == "signup":
        session, shift = rng.choice(plan["sign_ups"])
        return kind, "POST", f"/volunteers/shifts/{shift}/sign-up/", session
    if plan["donor"] and rng.random() < 0.3:
        return kind, "GET", rng.choice(plan["donor_pages"]), plan["donor"]
    return kind, "GET", rng.choice(plan["board"]), None


async def phase(client, users, seconds, choose, seed=1, think_ms=0):
    """`users` loops, each sending one request after another for `seconds` (pausing a time
    drawn uniformly in [think_ms / 2, 3 think_ms / 2] after each answer); `choose(rng, user)`
    gives the user's next request. Returns the results (kind, status, ms) and the time it
    took."""
    results = []
    deadline = time.monotonic() + seconds

    async def user(number):
        rng = random.Random(seed * 1000 + number)
        connection = client.connection()
        if think_ms:  # users do not all start at the same instant
            await asyncio.sleep(rng.uniform(0, think_ms) / 1000)
        while time.monotonic() < deadline:
            kind, method, path, session = choose(rng, number)
            body = f"csrfmiddlewaretoken={CSRF_TOKEN}".encode() if method == "POST" else b""
            status, ms = await connection.send(client.request(method, path, session, body))
            results.append((kind, status, ms))
            if think_ms:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * think_ms / 1000)
        connection.close()

    started = time.monotonic()
    await asyncio.gather(*(user(n) for n in range(users)))
    return results, time.monotonic() - started


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)


def summary(results, elapsed):
    statuses = {}
    for _kind, status, _ms in results:
        statuses[status] = statuses.get(status, 0) + 1
    latencies = [ms for _kind, _status, ms in results]
    kinds = {}
    for kind, _status, _ms in results:
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "rps": round(len(results) / elapsed, 1),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "errors": sum(n for s, n in statuses.items() if s == 0 or (s >= 400 and s != 429)),
        "limited": statuses.get(429, 0),
        "requests": len(results),
        "by_kind": kinds,
        "p95_ms_by_kind": {
            kind: percentile([ms for k, _s, ms in results if k == kind], 0.95) for kind in kinds
        },
        "statuses": {str(s): n for s, n in sorted(statuses.items())},
    }


def _own(sessions, user):
    """The session of the person that user number `user` is: each of phase 4's users is one
    person all along (the one whose caches were warmed), not a new one at each click."""
    return sessions[user % len(sessions)] if sessions else None


def page_line(name, path, signed_in, users, think_ms, found, mode):
    return {
        "mode": mode,
        "page": name,
        "url": path,
        "signed_in": signed_in,
        "users": users,
        "think_ms": think_ms,
        **{k: found[k] for k in ("rps", "p50_ms", "p95_ms", "p99_ms", "errors")},
        "requests": found["requests"],
        "target_p95_ms": TARGET_P95_MS,
        "within_target": found["p95_ms"] is not None
        and found["p95_ms"] < TARGET_P95_MS
        and not found["errors"],
    }


async def each_page(client, plan, args, think_ms=0, signed_in_only=False):
    """Phase 4: one JSON-ready dict per page (see the module docstring)."""
    lines = []
    for number, (name, path, sessions) in enumerate(plan["each_page"]):
        signed_in = sessions is not None
        if signed_in_only and not signed_in:
            continue
        if signed_in and not sessions:
            lines.append({"page": name, "url": path, "skipped": "nobody to sign in as"})
            continue
        for session in (sessions or [None])[: args.page_users]:  # warm each one's caches
            await client.send(client.request("GET", path, session))
        results, elapsed = await phase(
            client,
            args.page_users,
            args.page_seconds,
            lambda r, n, path=path, sessions=sessions: ("page", "GET", path, _own(sessions, n)),
            seed=10 + number,
            think_ms=think_ms,
        )
        found = summary(results, elapsed)
        lines.append(
            page_line(name, path, signed_in, args.page_users, think_ms, found, "each_page")
        )
    return lines


async def signed_in_mix(client, plan, args, think_ms=0):
    """Issue 13's figure: --page-users signed-in users at once over the four signed-in pages,
    each request to one of them at random; one dict per page, then one for all of them."""
    pages = [(n, p, s) for n, p, s in plan["each_page"] if s]  # signed in, someone to be
    for _name, path, sessions in pages:  # warm each one's caches
        for session in sessions[: args.page_users]:
            await client.send(client.request("GET", path, session))
    results, elapsed = await phase(
        client,
        args.page_users,
        args.page_seconds,
        lambda r, n: (lambda name, p, s: (name, "GET", p, _own(s, n)))(*r.choice(pages)),
        seed=40,
        think_ms=think_ms,
    )
    lines = []
    for name, path, _sessions in pages:
        mine = [row for row in results if row[0] == name]
        found = summary(mine, elapsed)
        lines.append(page_line(name, path, True, args.page_users, think_ms, found, "signed_in_mix"))
    found = summary(results, elapsed)
    lines.append(page_line("all_four", "", True, args.page_users, think_ms, found, "signed_in_mix"))
    return lines


async def issue_figures(client, plan, args):
    lines = []
    for think_ms in sorted({0, args.think_ms}):
        lines += await signed_in_mix(client, plan, args, think_ms)
        lines += await each_page(client, plan, args, think_ms, signed_in_only=True)
    return lines


async def run(client, plan, args):
    for path in plan["cached"]:  # warm the caches
        await client.send(client.request("GET", path))
    if args.issue:
        return await issue_figures(client, plan, args), None
    if args.pages_only:
        return await each_page(client, plan, args, args.think_ms), None
    health, health_time = await phase(
        client, args.users, args.probe, lambda r, n: ("healthz", "GET", "/healthz", None)
    )
    cached, cached_time = await phase(
        client,
        args.users,
        args.probe,
        lambda r, n: ("cached", "GET", r.choice(plan["cached"]), None),
        seed=2,
    )
    mixed, mixed_time = await phase(
        client,
        args.users,
        args.duration,
        lambda r, n: pick_mixed(plan, r),
        seed=3,
        think_ms=args.think_ms,
    )
    pages = await each_page(client, plan, args, args.think_ms) if args.page_seconds > 0 else []
    healthz_rps = len(health) / health_time
    cached_rps = len(cached) / cached_time
    ratio = cached_rps / healthz_rps if healthz_rps else None
    result = summary(mixed, mixed_time)
    result.update(
        healthz_rps=round(healthz_rps, 1),
        healthz_errors=summary(health, health_time)["errors"],
        anonymous_rps_cached=round(cached_rps, 1),
        anonymous_cached_errors=summary(cached, cached_time)["errors"],
        anonymous_ratio=round(ratio, 3) if ratio is not None else None,
        users=args.users,
        think_ms=args.think_ms,
        duration_s=args.duration,
        target_p95_ms=TARGET_MIXED_P95_MS,
        within_target=result["p95_ms"] is not None
        and result["p95_ms"] < TARGET_MIXED_P95_MS
        and not result["errors"]
        and ratio is not None
        and ratio >= 0.5,
    )
    return pages, result


# --- the server -----------------------------------------------------------------------------
def start_server(env, port, workers, log):
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if not manifest.exists():  # the production storage needs collected, hashed files
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
    gunicorn = Path(PYTHON).with_name("gunicorn")
    # production's settings (deploy/gunicorn.conf.py: threaded workers, two per core, no
    # control socket), on this port
    command = [str(gunicorn), "portal.wsgi:application", "-c", "deploy/gunicorn.conf.py"]
    command += ["-b", f"127.0.0.1:{port}"]
    if workers:
        command += ["-w", str(workers)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    client = Client("127.0.0.1", port, {"csrf_cookie": "x", "session_cookie": "y"})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit {server.returncode}); see {log.name}")
        status, _ms = asyncio.run(client.send(client.request("GET", "/healthz")))
        if status == 200:
            return server
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /healthz in 90 s; see {log.name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server (http://127.0.0.1:PORT) instead")
    parser.add_argument("--duration", type=float, default=30, help="mixed load, seconds")
    parser.add_argument("--probe", type=float, default=8, help="healthz and cached, seconds")
    parser.add_argument("--users", type=int, default=50, help="concurrent users")
    parser.add_argument("--page-users", type=int, default=20, help="users per page (phase 4)")
    parser.add_argument("--page-seconds", type=float, default=10, help="seconds per page")
    parser.add_argument("--pages-only", action="store_true", help="phase 4 alone")
    parser.add_argument(
        "--issue",
        action="store_true",
        help="issue 13's figure alone: the four signed-in pages, mixed and each alone",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0,
        help="mean pause of a user between requests in phases 3 and 4 and --issue (0: none)",
    )
    parser.add_argument(
        "--close",
        action="store_true",
        help="a new connection for each request (default: each user keeps one open)",
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers", type=int, help="gunicorn processes (default: deploy/gunicorn.conf.py's)"
    )
    parser.add_argument("--prepare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare is not None:
        print(json.dumps(prepare(args.prepare)))
        return
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith("postgres"):
        print(
            "bench/load.py: set DATABASE_URL=postgres://... (and REDIS_URL); skipped.",
            file=sys.stderr,
        )
        return
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    env = production_env(database_url, redis_url)
    if args.url:
        host_port = args.url.split("://", 1)[-1].rstrip("/")
        host, _, port = host_port.partition(":")
        if host not in ("127.0.0.1", "localhost"):
            raise SystemExit("Only 127.0.0.1.")
        port = int(port or 80)
    else:
        host, port = "127.0.0.1", args.port
    found = subprocess.run(
        [PYTHON, __file__, "--prepare", str(args.users)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if found.returncode:
        raise SystemExit(found.stderr[-3000:])
    plan = json.loads(found.stdout.strip().splitlines()[-1])
    client = Client(host, port, plan, keep_alive=not args.close)
    server = None
    log_path = Path(tempfile.gettempdir()) / f"bench-load-{port}.log"
    with open(log_path, "w") as log:
        try:
            if not args.url:
                server = start_server(env, port, args.workers, log)
            pages, result = asyncio.run(run(client, plan, args))
        finally:
            if server is not None:
                server.terminate()
                try:  # a loaded machine may take a while to stop five workers
                    server.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
    for line in pages:
        line["keep_alive"] = client.keep_alive
        print(json.dumps(line, ensure_ascii=False))
    if result is not None:
        result["keep_alive"] = client.keep_alive
        result["server_log"] = str(log_path)
        result["data"] = {
            "anonymous_urls": len(plan["anonymous"]),
            "open_shifts": len(plan["shifts"]),
        }
        print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
