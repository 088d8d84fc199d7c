"""A version number for the content caches: bumped whenever a page is published, unpublished
or deleted, so cached fragments of the home page never outlive the content they show."""

from django.core.cache import cache

from portal.fragments import cached_under

VERSION_KEY = "content:version"


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def cached_per_version(key, compute, seconds):
    """`compute()`'s answer, kept under `key` with the content version it was computed under
    and counted only while that version is current. One cache round trip when found: the
    version and the answer are read together."""
    return cached_under(key, [VERSION_KEY], compute, seconds, fresh=lambda: 1)


def bump_content_version(**kwargs):
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(VERSION_KEY, 2, None)


def restricted_paths():
    """Tree paths of the pages with a view restriction (login, password, groups), cached per
    content version: a listing's `public()` then costs no query of its own (Wagtail's asks the
    database each time). Saving or deleting a restriction bumps the version (content/signals)."""
    from wagtail.models import PageViewRestriction

    return cached_per_version(
        "content:restricted-paths",
        lambda: list(PageViewRestriction.objects.values_list("page__path", flat=True)),
        3600,
    )


def private_q():
    """Wagtail's PageQuerySet.private_q from the cached paths: the restricted pages and below."""
    from django.db.models import Q

    q = Q()
    for path in restricted_paths():
        q |= Q(path__startswith=path)
    return q if q else Q(pk__in=[])
