"""The test cache, emptied without touching anyone else's keys."""


def clear_this_runs_cache(keep_sessions=False):
    """Empty the cache for the next test. On Redis only this run's keys go (its KEY_PREFIX,
    per process in portal/settings/test.py): Django's RedisCache.clear() flushes the whole
    database, which would wipe the keys of the other pytest-xdist workers and of other runs
    sharing the server. `keep_sessions` leaves the sessions (production and CI keep them in the
    cache): whoever is logged in stays logged in."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]

    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keep_sessions:
        keys = [k for k in keys if b"django.contrib.sessions" not in k]
    if keys:
        client.delete(*keys)
