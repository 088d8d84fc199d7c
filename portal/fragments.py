"""Per-person fragments of signed-in pages, kept in the shared cache (Redis in production) for
a short time and dropped by the events that change them (issue 13, point 2).

A fragment is stored under its name, the person (or whatever the caller puts in `key`) and the
language, with the values of its *versions* when it was made: named counters in the cache, such as
"volunteers:profile:42" (one volunteer's sign-ups, attendance, waiting lists, messages) or
"donations:ledger" (every donor's trace). An event moves a version on (`bump`, after the
transaction commits, so another process cannot store the old rows under the new version), and
every fragment made under the old one no longer counts (the copy and the current versions are
read in one round trip, and the copy is made again when they differ). A version missing from the cache
(Redis emptied, or never bumped) gets a fresh random value, so an older fragment can never come
back. `seconds` bounds what no signal covers (time passing: a shift that started, another
person's sign-up taking the last place) - keep it short.

CSRF tokens: a fragment may hold forms. The masked token each `{% csrf_token %}` wrote is
replaced by a placeholder before storing, and the serving request's own token is written back,
so every request gets a valid token for its own session (the pattern of portal/pagecache.py's
CSP nonce).

Switch off with FRAGMENT_CACHE_ENABLED = False (the test settings keep it on: the tests prove
the invalidation).
"""

import hashlib
import re
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.middleware.csrf import get_token
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

PREFIX = "fragment"
CSRF_FIELD = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = "\x00csrf\x00"


def _version_key(name):
    return f"{PREFIX}:version:{name}"


def versions(*names):
    """The current value of each version, giving a fresh one to a version the cache lacks."""
    return _versions_from([_version_key(name) for name in names], {}, _fresh)


def _fresh():
    return uuid.uuid4().hex


def _versions_from(keys, found, fresh):
    """The values of the version `keys`: from `found` (what a read of several keys at once
    brought back), else from the cache, else `fresh()` (two processes at once: one value wins)."""
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        found = {**found, **cache.get_many(missing)}
    values = []
    for key in keys:
        value = found.get(key)
        if value is None:
            cache.add(key, fresh(), None)
            value = cache.get(key)
        values.append(value)
    return values


def cached_under(key, version_keys, compute, seconds, fresh=_fresh):
    """`compute()`'s answer, kept under `key` for at most `seconds` with the values the cache
    keys `version_keys` had when it was computed, and counted only while they all still have
    them. One cache round trip when found: the answer and the current versions are read
    together. A version missing from the cache is given `fresh()`. The fragments below, the
    permission sets (portal/accounts/permissions.py), the menu's content links
    (content/cache.py) and the recommendations (volunteers/matching/ranking.py) are kept so."""
    found = cache.get_many([*version_keys, key])
    current = _versions_from(version_keys, found, fresh)
    made_under, answer = found.get(key) or (None, None)
    if made_under != current:
        answer = compute()
        cache.set(key, (current, answer), seconds)
    return answer


def bump(*names):
    """Move these versions on now (this request's next page sees the change at once) and again
    when the current transaction commits (a copy another process made from the old rows in the
    meantime is dropped too)."""
    names = [name for name in names if name]
    if not names:
        return

    def move_on():
        cache.set_many({_version_key(name): uuid.uuid4().hex for name in names}, None)

    move_on()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(move_on)


def enabled():
    return getattr(settings, "FRAGMENT_CACHE_ENABLED", True)


def cached_html(request, name, key, depends_on, seconds, render):
    """The HTML `render()` returns, from the cache when a copy made under the same versions of
    `depends_on` (and the same language) is younger than `seconds`."""
    if not enabled() or seconds <= 0:
        return mark_safe(render())  # noqa: S308 - render() returns rendered template HTML
    digest = hashlib.sha256("|".join([name, str(key), get_language() or ""]).encode())
    stored = cached_under(
        f"{PREFIX}:{name}:{digest.hexdigest()[:32]}",
        [_version_key(version) for version in depends_on],
        lambda: CSRF_FIELD.sub(rf"\g<1>{CSRF_PLACEHOLDER}\g<2>", str(render())),
        seconds,
    )
    if CSRF_PLACEHOLDER in stored and request is not None:
        stored = stored.replace(CSRF_PLACEHOLDER, get_token(request))
    return mark_safe(stored)  # noqa: S308 - our own rendered template HTML


def profile_version(profile_id):
    return f"volunteers:profile:{profile_id}" if profile_id else ""


# --- versions moved by any write to a model's rows ------------------------------------------


class VersionedQuerySet(models.QuerySet):
    """For a model whose rows feed fragments under the versions named in its
    `fragment_versions`: the queryset's writes (`update`, `delete`, `bulk_create`,
    `bulk_update`, which send no signal) move them on. Saves and deletes of single rows are
    connected with `connect`."""

    def update(self, **kwargs):
        bump(*self.model.fragment_versions)
        return super().update(**kwargs)

    def delete(self):
        bump(*self.model.fragment_versions)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        bump(*self.model.fragment_versions)
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, *args, **kwargs):
        bump(*self.model.fragment_versions)
        return super().bulk_update(objs, *args, **kwargs)


def _row_written(sender, **kwargs):
    bump(*sender.fragment_versions)


def connect(*labels):
    """Saves and deletes of these models ("app_label.Model") move their fragment_versions on."""
    for label in labels:
        uid = f"fragments-{label}"
        post_save.connect(_row_written, sender=label, dispatch_uid=uid)
        post_delete.connect(_row_written, sender=label, dispatch_uid=uid)
