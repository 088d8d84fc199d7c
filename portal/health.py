"""Health checks for a load balancer.

- `/healthz`: the process answers (liveness). Touches nothing else, so a slow database never
  makes the balancer kill healthy web processes.
- `/readyz`: this process can serve (readiness): the database answers, the shared cache
  answers, every migration is applied, and the task worker is alive.

Both answer JSON and are never cached. A failing check answers 503 with the name of the check
and a one-word state ("ok", "fail", "stale", "not_configured"): no versions, hosts or error
texts, which would help an attacker more than an operator (the reason goes to the log).

The worker (django-tasks' `db_worker`) is judged from the task table, with no heartbeat of its
own to keep: it is "stale" when a task has been waiting to run for more than
settings.READYZ_WORKER_STALE_SECONDS and no task finished in that time. An idle worker with an
empty queue is fine; a worker that is down shows as soon as something waits for it. With the
in-process backend (development, tests) there is no worker: "not_configured", which is ready.
READYZ_WORKER_STALE_SECONDS=0 leaves the worker out of readiness (it is still reported).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.views.decorators.cache import never_cache

logger = logging.getLogger("portal.health")

WORKER_BACKENDS = {
    "django_tasks_db.DatabaseBackend",
    "django_tasks.backends.database.DatabaseBackend",
}
_migrations_applied = False  # once true in a process, it stays true (checked once)


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def check_database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_cache():
    cache = caches["default"]
    key = "portal:readyz:" + get_random_string(8)
    cache.set(key, "1", 10)
    found = cache.get(key)
    cache.delete(key)
    return "ok" if found == "1" else "fail"


def check_migrations():
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return "fail"
    _migrations_applied = True
    return "ok"


def worker_configured():
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    return backend in WORKER_BACKENDS


def check_worker():
    if not worker_configured():
        return "not_configured"
    from django_tasks_db.models import DBTaskResult

    stale = settings.READYZ_WORKER_STALE_SECONDS or 300
    since = timezone.now() - timedelta(seconds=stale)
    waiting = DBTaskResult.objects.filter(
        status="READY", enqueued_at__lt=since, run_after__lt=since
    ).exists()
    if not waiting:
        return "ok"
    if DBTaskResult.objects.filter(finished_at__gte=since).exists():
        return "ok"  # a backlog, but the worker is working through it
    return "stale"


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "migrations": check_migrations,
    "worker": check_worker,
}
OK_STATES = {"ok", "not_configured"}


@never_cache
def readyz(request):
    checks = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except Exception:
            logger.exception("readiness check %s failed", name)
            checks[name] = "fail"
    required = [name for name in checks if name != "worker" or settings.READYZ_WORKER_STALE_SECONDS]
    ready = all(checks[name] in OK_STATES for name in required)
    if not ready:
        logger.warning("not ready: %s", checks)
    return JsonResponse(
        {"status": "ok" if ready else "fail", "checks": checks}, status=200 if ready else 503
    )
