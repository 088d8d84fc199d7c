# The commands people type. `make run` and `make test` install what they need themselves.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3
APPS := portal content volunteers donations assistance
# The address `make run` serves: every absolute link (QR codes, SMS, sitemap) is made from it.
export SITE_URL ?= http://$(HOST):$(PORT)
# Python keeps what it compiles (the project's modules, the test files as pytest rewrites their
# asserts) in __pycache__ even where the machine's environment says not to: without those files
# every test worker compiled and rewrote all ~210 test modules again, 5 s of each one's start.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test serve setup system-deps test-system-deps prod-system-deps install-debian messages migrate demo lint format bench check-deploy prod-check deploy-files-check clean wheel wheel-check

run: setup migrate demo serve

setup: system-deps $(VENV)/.installed messages

# Debian packages WeasyPrint and gettext need; installed only when missing. The tests also need
# a browser (tests/browser), which `make run` does not.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 gettext poppler-utils
TEST_SYSTEM_PACKAGES := chromium chromium-driver fonts-noto-cjk default-jre-headless
system-deps:
	@$(MAKE) --no-print-directory install-debian PACKAGES="$(SYSTEM_PACKAGES)"

test-system-deps:
	@$(MAKE) --no-print-directory install-debian PACKAGES="$(TEST_SYSTEM_PACKAGES)"

# What `make prod-check` needs besides the services: nginx (to check deploy/nginx with
# `nginx -t`; it is not started), openssl (a throwaway certificate for that), curl, and the
# PostgreSQL and Redis client tools.
PROD_SYSTEM_PACKAGES := nginx openssl curl postgresql-client redis-tools
prod-system-deps:
	@$(MAKE) --no-print-directory install-debian PACKAGES="$(PROD_SYSTEM_PACKAGES)"

install-debian:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	touch $@

# Compile every app's catalogue (.po -> .mo); only the stale ones are rebuilt.
messages: $(VENV)/.installed
	@for app in $(APPS); do \
	  for po in $$app/locale/*/LC_MESSAGES/*.po; do \
	    [ -f "$$po" ] || continue; mo=$${po%.po}.mo; \
	    if [ ! -f "$$mo" ] || [ "$$po" -nt "$$mo" ]; then msgfmt --check-format -o "$$mo" "$$po" || exit 1; fi; \
	  done; \
	done

migrate: setup
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo_data

serve:
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on one pytest-xdist worker per core (each with its own test database and its
# own cache prefix); `make test PYTEST_ARGS=` runs it in one process.
PYTEST_ARGS ?= -n auto --dist loadgroup
# more options after those, e.g. `make test PYTEST_EXTRA=--ignore=tests/browser`
PYTEST_EXTRA ?=
# axe-core, the accessibility engine tests/browser/quality.py runs in the browser: fetched from
# the npm registry into the virtual environment (not committed).
AXE_VERSION := 4.11.4
AXE_JS := $(VENV)/axe/node_modules/axe-core/axe.min.js
test: setup test-system-deps $(AXE_JS)
	$(PY) -m pytest $(PYTEST_ARGS) $(PYTEST_EXTRA)

$(AXE_JS): | test-system-deps
	@command -v npm >/dev/null || $(MAKE) --no-print-directory install-debian PACKAGES=npm
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix $(VENV)/axe axe-core@$(AXE_VERSION)


lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: setup
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# Regenerate the message catalogues from the source (then translate the new entries).
makemessages: setup
	@for app in $(APPS); do (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans -l en --no-obsolete); done

bench: setup
	@for f in bench/*.py; do echo "== $$f" >&2; $(PY) $$f || exit 1; done

# The production settings with placeholder services (nothing is contacted): portal.checks
# refuses production without Redis or with the console SMS/email backends.
# Production settings with placeholder secrets and services (nothing is contacted): what
# `check --deploy` and the wheel check need to load them.
PRODUCTION_ENV = DJANGO_SETTINGS_MODULE=portal.settings.production \
	  SECRET_KEY=$$($(PYTHON) -c 'import secrets;print(secrets.token_urlsafe(60))') \
	  FIELD_ENCRYPTION_KEYS=$$($(PYTHON) -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())') \
	  FIELD_HASH_KEY=$$($(PYTHON) -c 'import secrets;print(secrets.token_urlsafe(40))') \
	  ALLOWED_HOSTS=portal.example.org SITE_URL=https://portal.example.org \
	  REDIS_URL=redis://127.0.0.1:6379/0 \
	  SMS_BACKEND=portal.sms.HttpBackend SMS_API_URL=https://sms-gateway.example.org/send \
	  EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend

check-deploy: setup
	$(PRODUCTION_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# The portal as production runs it, on this machine (PostgreSQL on 127.0.0.1:5432 and Redis on
# 127.0.0.1:6379 must be running; .ci/run starts them): two gunicorn servers and the task
# worker with production settings, checked end to end and stopped again (scripts/prod_check.sh).
prod-check: setup prod-system-deps deploy-files-check
	scripts/prod_check.sh

# The shipped nginx site and systemd units are valid (deploy/, docs/deploy.md).
deploy-files-check: prod-system-deps
	scripts/check_deploy_files.sh

clean:
	rm -rf $(VENV) staticfiles .pytest-dbcache

# The production package: a wheel with every app, its templates, static files, compiled
# catalogues and fonts. `make wheel-check` installs it in a fresh virtual environment and runs
# Django's checks from outside the checkout, so a file left out of the package shows.
wheel: messages
	rm -rf dist build
	$(PY) -m pip wheel --no-deps -q -w dist .

WHEEL_VENV ?= /tmp/portal-wheel-venv
wheel-check: wheel
	rm -rf $(WHEEL_VENV)
	$(PYTHON) -m venv $(WHEEL_VENV)
	$(WHEEL_VENV)/bin/pip install -q dist/*.whl
	cd /tmp && $(PRODUCTION_ENV) \
	  $(WHEEL_VENV)/bin/python -c "import django, portal, content, volunteers, donations, assistance; django.setup(); from django.core.management import call_command; call_command('check'); from django.template.loader import get_template; get_template('base.html'); get_template('assistance/ask.html'); from django.conf import settings; assert settings.PDF_FONT_PATH.exists(), settings.PDF_FONT_PATH; print('wheel ok')"
