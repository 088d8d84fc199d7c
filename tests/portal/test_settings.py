"""Settings come from the environment; production refuses to start half-configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.portal.settings_probe import MARKER

# One worker runs the whole module, with one probe.
pytestmark = pytest.mark.xdist_group("settings")

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "x" * 20 + "a-long-random-production-secret-key-for-tests-0123456789"
# Field encryption keys for production (portal.encryption); published, for tests only.
GOOD_KEYS = {
    "FIELD_ENCRYPTION_KEYS": "W55xZIL0NLZYaui0XYjoUYS0tzPZ_is2IQvOLmPfGOA=",
    "FIELD_HASH_KEY": "a-test-only-hmac-key-for-id-number-hashes-0123456789",
}


# The site's public address (portal.links): production refuses to start without one.
SITE = {"SITE_URL": "https://portal.example.org"}


class Probe:
    """The one interpreter that stands for every process this module would start
    (tests/portal/settings_probe.py): a settings module imported under an environment, or a
    production process - `manage.py check`, the WSGI entry point - with that environment."""

    process = None

    def ask(self, request):
        if self.process is None:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.portal.settings_probe"],
                cwd=ROOT,
                env=os.environ.copy(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        for line in self.process.stdout:
            if line.startswith(MARKER):
                answer = json.loads(line[len(MARKER) :])
                return subprocess.CompletedProcess(
                    request.get("args", []),
                    answer["returncode"],
                    answer["stdout"],
                    answer["stderr"],
                )
        raise AssertionError("the settings probe stopped")

    def close(self):
        if self.process is not None:
            self.process.stdin.close()
            self.process.wait(timeout=60)
            self.process = None


PROBE = Probe()


@pytest.fixture(scope="module", autouse=True)
def _probe():
    yield
    PROBE.close()


def load_settings(module, **env):
    """Import a settings module under this environment (and nothing else of the test run's) and
    return a few values as JSON."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean.update(env)
    return PROBE.ask({"kind": "settings", "module": module, "env": clean})


def values(module, **env):
    result = load_settings(module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_defaults_are_sqlite_with_concurrency_settings_and_local_cache():
    config = values("dev")
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["name"].endswith("db.sqlite3")
    assert config["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["options"]["init_command"]
    assert "busy_timeout" in config["options"]["init_command"]
    assert config["cache"].endswith("LocMemCache")
    assert config["tasks"].endswith("ImmediateBackend")


def test_database_and_redis_urls_are_read_from_the_environment():
    config = values(
        "dev",
        DATABASE_URL="postgres://portal:pw@db.internal:5433/portal",
        REDIS_URL="redis://cache.internal:6379/2",
        EMAIL_HOST="smtp.example.org",
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["name"] == "portal"
    assert config["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert config["cache_location"] == "redis://cache.internal:6379/2"
    assert config["session"] == "django.contrib.sessions.backends.cache"
    assert config["email_host"] == "smtp.example.org"
    # short web queries: no JIT compilation on PostgreSQL
    assert config["options"]["options"] == "-c jit=off"


def test_base_settings_are_secure_by_default():
    config = values("base")
    assert config["debug"] is False


@pytest.mark.parametrize("secret", ["", "short", "dev-" + "x" * 60])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = load_settings(
        "production", SECRET_KEY=secret, ALLOWED_HOSTS="portal.example.org", **GOOD_KEYS
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [
        ({}, "FIELD_ENCRYPTION_KEYS must be set"),
        ({"FIELD_HASH_KEY": GOOD_KEYS["FIELD_HASH_KEY"]}, "FIELD_ENCRYPTION_KEYS must be set"),
        ({"FIELD_ENCRYPTION_KEYS": GOOD_KEYS["FIELD_ENCRYPTION_KEYS"]}, "FIELD_HASH_KEY must be"),
        ({**GOOD_KEYS, "FIELD_ENCRYPTION_KEYS": "not-a-fernet-key"}, "is not a Fernet key"),
        ({**GOOD_KEYS, "FIELD_HASH_KEY": GOOD_SECRET}, "must not be the SECRET_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_own_field_encryption_keys(keys, complaint):
    result = load_settings(
        "production", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="portal.example.org", **keys
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and complaint in result.stderr


@pytest.mark.parametrize("site_url", ["", "http://portal.example.org", "https://127.0.0.1:8000"])
def test_production_refuses_to_start_without_its_public_https_address(site_url):
    result = load_settings(
        "production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.org",
        SITE_URL=site_url,
        **GOOD_KEYS,
    )
    assert result.returncode != 0
    assert "SITE_URL" in result.stderr


def test_production_uses_the_task_worker_and_environment_hosts():
    config = values(
        "production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="a.example.org,b.example.org",
        **GOOD_KEYS,
        **SITE,
    )
    assert config["debug"] is False
    assert config["hosts"] == ["a.example.org", "b.example.org"]
    assert config["tasks"] == "django_tasks_db.DatabaseBackend"


# What a production deployment sets besides the secret (the services are never contacted).
PRODUCTION_SERVICES = {
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMS_BACKEND": "portal.sms.HttpBackend",
    "SMS_API_URL": "https://sms-gateway.example.org/send",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def run_production(args, **overrides):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", *PRODUCTION_SERVICES}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.org",
        **GOOD_KEYS,
        **SITE,
        **PRODUCTION_SERVICES,
    )
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return PROBE.ask({"kind": "production", "args": args, "env": env})


def check_deploy(**overrides):
    return run_production(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **overrides
    )


def test_check_deploy_is_clean_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_production_without_redis_or_with_console_backends():
    # The defaults of base.py: no Redis, the console SMS and email backends.
    result = check_deploy(REDIS_URL=None, SMS_BACKEND=None, EMAIL_BACKEND=None)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "portal.E100" in output and "REDIS_URL" in output
    assert "portal.E101" in output and "portal.sms.ConsoleBackend" in output
    assert "portal.E103" in output and "console.EmailBackend" in output
    result = check_deploy(SMS_API_URL=None)
    assert result.returncode != 0
    assert "portal.E102" in result.stdout + result.stderr


def test_the_production_server_refuses_to_start_with_the_console_sms_backend():
    boot = ["-c", "import portal.wsgi"]
    assert run_production(boot).returncode == 0, run_production(boot).stderr
    result = run_production(boot, SMS_BACKEND="portal.sms.ConsoleBackend", REDIS_URL=None)
    assert result.returncode != 0
    assert "portal.E100" in result.stderr and "portal.E101" in result.stderr
