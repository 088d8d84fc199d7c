"""/healthz and /readyz for a load balancer (portal/health.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal import health

DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_healthz_touches_no_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_check(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "cache": "ok",
            "migrations": "ok",
            "worker": "not_configured",  # tasks run in-process in tests
        },
    }
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_failing_check_answers_503_without_details(client, monkeypatch):
    def broken():
        raise ConnectionError("redis://secret-host:6379 refused")

    monkeypatch.setitem(health.CHECKS, "cache", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "fail"
    assert b"secret-host" not in response.content


def make_task_result(**fields):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    values = {
        "args_kwargs": {"args": [], "kwargs": {}},
        "task_path": "portal.notify.deliver",
        "backend_name": "default",
        "run_after": now,
        "priority": 0,
        "queue_name": "default",
        "status": "READY",
    }
    values.update(fields)
    result = DBTaskResult.objects.create(**values)
    enqueued = fields.get("enqueued_at")
    if enqueued:  # auto_now_add
        DBTaskResult.objects.filter(pk=result.pk).update(enqueued_at=enqueued)
    return result


@pytest.mark.django_db
def test_a_worker_that_leaves_tasks_waiting_is_stale(client, settings):
    settings.TASKS = DB_BACKEND
    settings.READYZ_WORKER_STALE_SECONDS = 300
    assert client.get("/readyz").json()["checks"]["worker"] == "ok"  # nothing waits
    long_ago = timezone.now() - timedelta(minutes=10)
    make_task_result(enqueued_at=long_ago, run_after=long_ago)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "stale"
    # a task finished recently: the worker is alive, working through a backlog
    make_task_result(status="SUCCESSFUL", finished_at=timezone.now())
    assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_the_worker_can_be_left_out_of_readiness(client, settings):
    settings.TASKS = DB_BACKEND
    settings.READYZ_WORKER_STALE_SECONDS = 0
    long_ago = timezone.now() - timedelta(hours=1)
    make_task_result(enqueued_at=long_ago, run_after=long_ago)
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == "stale"
