"""A version number for the content caches: bumped whenever a page is published, unpublished
or deleted, so cached fragments of the home page never outlive the content they show."""

from django.core.cache import cache

VERSION_KEY = "content:version"


def content_version():
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def bump_content_version(**kwargs):
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted)
        cache.set(VERSION_KEY, 2, None)
