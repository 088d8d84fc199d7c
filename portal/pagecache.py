"""Whole public pages for anonymous visitors, from the shared cache (Redis in production).

A Monday-morning rush is mostly people without an account opening the same few pages (the home
page, the notices, the QR poster's community page, the shift list, the board). Those pages are
the same for every anonymous visitor in a language, so the first one renders them and the next
ones get the stored bytes, from any web process.

What may be cached is opted in, never guessed:
- every Wagtail page (the `before_serve_page` hook in portal/wagtail_hooks.py calls `allow`),
  for settings.PAGE_CACHE_SECONDS, or its type's entry in settings.PAGE_CACHE_SECONDS_BY_TYPE;
- views decorated with `public_cache(seconds, query=(...))`.

What is never cached, whatever the view says:
- a request that carries a session cookie (a signed-in person, or anyone with a session) or
  a flash-message cookie: it is neither served from the cache nor stored;
- a response that sets a cookie (a CSRF token was put in a form, a session was started), that
  used the CSRF token, that is not a 200, that streams, or that says private/no-store/no-cache;
- a query string with a parameter the view did not name (no cache flooding with ?x=1, ?x=2).

Keys vary by scheme, host, language and full path. Each entry remembers the versions of the
keys in settings.PAGE_CACHE_VERSION_KEYS (the content version, bumped on every publish,
unpublish, move and delete of a page) and is stale as soon as one moves; data shown with no
exact signal (shift places, the board, the home page's figures) gets a short lifetime.

Content-Security-Policy nonces: the stored page has the nonce of the request that rendered it
replaced by a placeholder, and each hit gets the new request's nonce written back in (and so in
its CSP header), so inline scripts keep running and no two visitors share a nonce.

Responses say where they came from in `X-Page-Cache: hit | miss | skip`, carry a weak ETag
(If-None-Match gets a 304) and `Cache-Control: public, max-age=settings.PAGE_CACHE_MAX_AGE` so a
proxy in front can help; wagtail.contrib.frontend_cache purges such a proxy (`purge_pages`).
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags

logger = logging.getLogger("portal.pagecache")

HEADER = "X-Page-Cache"
NONCE_PLACEHOLDER = b"__portal-csp-nonce__"
KEY_PREFIX = "pagecache:v1:"
# Headers of the rendered response that are not stored (they are per response).
UNSTORED_HEADERS = {"set-cookie", "content-length", "date", HEADER.lower()}


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def allow(request, seconds, query=(), versions=()):
    """Say that this request's response may be stored for `seconds` (0 = never), provided the
    query string only has parameters named in `query`. `versions` names cache keys of the
    page's own (bump_version moves them when its data changes): their values are read now,
    before the page is rendered, and a stored copy is stale once one of them moves."""
    if seconds and set(request.GET) <= set(query):
        request._page_cache_seconds = int(seconds)
        if versions and may_use_cache(request):
            try:
                found = _cache().get_many(list(versions))
            except Exception:
                logger.warning("page cache unavailable", exc_info=True)
                request._page_cache_seconds = 0
                return
            request._page_cache_own_versions = {key: found.get(key) for key in versions}


def public_cache(seconds, query=(), versions=()):
    """Decorator for a public view: anonymous visitors may get its page from the cache.

    `seconds` is a number or the name of a setting holding one; `query` names the query
    parameters the page understands (others make the request uncacheable); `versions` the
    cache keys whose change makes the stored page stale (see `allow`)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            value = getattr(settings, seconds) if isinstance(seconds, str) else seconds
            allow(request, value, query, versions)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def may_use_cache(request):
    """Cheap test before anything else runs: GET/HEAD, no session and no flash messages."""
    if not settings.PAGE_CACHE_ENABLED or request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return False
    return not request.path_info.startswith(tuple(settings.PAGE_CACHE_SKIP_PREFIXES))


def cache_key(request):
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    raw = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(raw.encode()).hexdigest()[:40]
    return f"{KEY_PREFIX}{language}:{digest}"


def current_versions(values):
    return [values.get(key) for key in settings.PAGE_CACHE_VERSION_KEYS]


class PageCacheMiddleware:
    """Serves and stores anonymous public pages. Sits right after WhiteNoise (static files never
    reach it) and before the session, so a hit costs one round trip to the cache and no
    database query; after the CSP middleware, which adds each hit's own nonce to the header."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not may_use_cache(request):
            return self.get_response(request)
        try:
            key = cache_key(request)
            names = [key, *settings.PAGE_CACHE_VERSION_KEYS]
            found = _cache().get_many(names)
        except Exception:  # a bad Host header (Django answers it below), the cache down
            logger.warning("page cache unavailable", exc_info=True)
            return self.get_response(request)
        versions = current_versions(found)
        entry = found.get(key)
        if entry is not None and entry["versions"] == versions and self.own_current(entry):
            return self.from_entry(request, entry)
        response = self.get_response(request)
        seconds = getattr(request, "_page_cache_seconds", 0)
        if seconds:
            if self.storable(request, response):
                self.store(request, response, key, versions, seconds)
            else:
                response[HEADER] = "skip"
        return response

    @staticmethod
    def own_current(entry):
        """A page with version keys of its own (public_cache(versions=)) is stale once one
        moved; that costs a second round trip to the cache, for those pages only."""
        own = entry.get("own_versions")
        if not own:
            return True
        try:
            found = _cache().get_many(list(own))
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
            return False
        return all(found.get(key) == value for key, value in own.items())

    @staticmethod
    def storable(request, response):
        user = getattr(request, "user", None)
        control = response.get("Cache-Control", "").lower()
        return (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not getattr(request, "is_preview", False)
            and not (user is not None and user.is_authenticated)
            and not any(word in control for word in ("private", "no-store", "no-cache"))
        )

    def store(self, request, response, key, versions, seconds):
        content = response.content
        if b'name="csrfmiddlewaretoken"' in content:  # a token without a cookie: never shared
            response[HEADER] = "skip"
            return
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str) and nonce:
            content = content.replace(nonce.encode(), NONCE_PLACEHOLDER)
        etag = 'W/"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        self.add_public_headers(response, etag, seconds)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in UNSTORED_HEADERS
        ]
        entry = {
            "versions": versions,
            "headers": headers,
            "content": content,
            "stored": time.time(),
            "seconds": seconds,
            "own_versions": getattr(request, "_page_cache_own_versions", None),
        }
        try:
            _cache().set(key, entry, seconds)
        except Exception:
            logger.warning("page cache unavailable", exc_info=True)
            response[HEADER] = "skip"
            return
        response[HEADER] = "miss"

    @staticmethod
    def add_public_headers(response, etag, seconds):
        response["ETag"] = etag
        patch_cache_control(
            response, public=True, max_age=min(seconds, settings.PAGE_CACHE_MAX_AGE)
        )

    def from_entry(self, request, entry):
        headers = dict(entry["headers"])
        etag = headers.get("ETag", "")
        if etag and etag_matches(request, etag):
            response = HttpResponseNotModified()
            for name in ("ETag", "Cache-Control", "Vary", "Content-Language"):
                if name in headers:
                    response[name] = headers[name]
            # The client keeps the page it has, with the nonce of its own CSP header: a new
            # policy with another nonce would stop that page's inline scripts.
            response._csp_exempt = True
        else:
            content = entry["content"]
            if NONCE_PLACEHOLDER in content:
                content = content.replace(NONCE_PLACEHOLDER, str(request.csp_nonce).encode())
            response = HttpResponse(content)
            for name, value in entry["headers"]:
                response[name] = value
        age = max(0, int(time.time() - entry["stored"]))
        response["Age"] = str(age)
        response[HEADER] = "hit"
        return response


def etag_matches(request, etag):
    wanted = request.META.get("HTTP_IF_NONE_MATCH")
    if not wanted:
        return False
    if wanted.strip() == "*":
        return True
    strip = [tag.removeprefix("W/") for tag in parse_etags(wanted)]
    return etag.removeprefix("W/") in strip


def bump_version(key):
    """Make every page stored under the current value of `key` stale (a cheap, atomic INCR)."""
    cache = _cache()
    try:
        cache.incr(key)
    except ValueError:  # not set yet, or evicted
        cache.set(key, int(time.time()), None)


# --- a caching proxy or CDN in front (wagtail.contrib.frontend_cache) -------------------------


def page_urls(page):
    """The URLs of a page that a proxy may hold: the page and the pages that list it (its
    ancestors up to the site's root page), in every language."""
    urls = []
    pages = [page, *page.get_ancestors().filter(depth__gt=1)]
    for each in pages:
        url = each.get_full_url()
        if not url:
            continue
        urls.append(url)
        for code, _name in settings.LANGUAGES:
            if code == settings.LANGUAGE_CODE:
                continue
            scheme, _sep, rest = url.partition("://")
            host, slash, path = rest.partition("/")
            urls.append(f"{scheme}://{host}/{code}/{path}")
    return urls


def purge_pages(pages):
    """Ask the configured frontend caches (settings.WAGTAILFRONTENDCACHE) to drop these pages;
    a background task does the asking (django-tasks, the worker in production)."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    urls = []
    for page in pages:
        urls.extend(page_urls(page))
    purge_urls_from_cache(sorted(set(urls)))


def _published(sender, instance, **kwargs):
    purge_pages([instance])


def _moved(sender, instance, parent_page_before=None, **kwargs):
    purge_pages([instance, *([parent_page_before] if parent_page_before else [])])


def _deleting(sender, instance, **kwargs):
    if instance.depth > 1 and instance.live:
        purge_pages([instance])


def _restriction_changed(sender, instance, **kwargs):
    purge_pages([instance.page])


def connect():
    """Purge the proxy in front when pages change (the page cache itself follows the content
    version, which content/signals.py bumps on the same signals)."""
    from django.db.models.signals import post_save, pre_delete
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published, page_unpublished, post_page_move

    page_published.connect(_published, dispatch_uid="pagecache-purge-publish")
    page_unpublished.connect(_published, dispatch_uid="pagecache-purge-unpublish")
    post_page_move.connect(_moved, dispatch_uid="pagecache-purge-move")
    pre_delete.connect(_deleting, sender=Page, dispatch_uid="pagecache-purge-delete")
    for signal, name in ((post_save, "save"), (pre_delete, "delete")):
        signal.connect(
            _restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"pagecache-purge-restriction-{name}",
        )
