"""One interpreter that answers tests/portal/test_settings.py's questions in turn, instead of a
fresh interpreter (and a fresh Django) for each.

Each request carries the whole environment of the process it stands for. A request for a
settings module imports it anew under that environment. A request for a production process
(`manage.py check ...` or `import portal.wsgi`) imports portal.settings.production anew under its
environment, then runs the command or the WSGI entry point with exactly those settings: Django
itself is set up once, with the first such request's environment, and every setting the new
import gives differently is overridden (django.test.override_settings) while the request runs.

Protocol: one JSON request a line on stdin; each answer is one line on stdout after MARKER
(anything else written to the real stdout is ignored by the reader)."""

import contextlib
import importlib
import io
import json
import os
import sys
import traceback

MARKER = "@@settings-probe@@ "

SETTINGS_VALUES = (
    "db = s.DATABASES['default'];"
    "values = {'engine': db['ENGINE'], 'name': str(db['NAME']),"
    " 'options': db.get('OPTIONS', {}), 'cache': s.CACHES['default']['BACKEND'],"
    " 'cache_location': s.CACHES['default'].get('LOCATION', ''),"
    " 'session': s.SESSION_ENGINE, 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS,"
    " 'tasks': s.TASKS['default']['BACKEND'], 'sms': s.SMS_BACKEND,"
    " 'email_host': s.EMAIL_HOST}"
)


def _fresh_settings(module, env):
    """portal.settings.<module> imported anew, as a process with this environment would."""
    os.environ.clear()
    os.environ.update(env)
    for name in [n for n in sys.modules if n.startswith("portal.settings.")]:
        del sys.modules[name]
    return importlib.import_module(f"portal.settings.{module}")


def _settings(request):
    module = _fresh_settings(request["module"], request["env"])
    scope = {"s": module}
    exec(SETTINGS_VALUES, scope)  # noqa: S102 - our own constant
    print(json.dumps(scope["values"]))


_django_env = None


def _production(request):
    global _django_env  # noqa: PLW0603 - one Django per interpreter
    env = request["env"]
    module = _fresh_settings(env["DJANGO_SETTINGS_MODULE"].rpartition(".")[2], env)
    import django
    from django.conf import settings
    from django.test.utils import override_settings

    if _django_env is None:
        django.setup()
        _django_env = env
    different = {}
    for name in dir(module):
        if name.isupper():
            value = getattr(module, name)
            if not hasattr(settings, name) or getattr(settings, name) != value:
                different[name] = value
    args = request["args"]
    with override_settings(**different):
        if args[0] == "-c":
            # the only code the tests run: the WSGI entry point
            assert args[1] == "import portal.wsgi", args
            sys.modules.pop("portal.wsgi", None)
            importlib.import_module("portal.wsgi")
        else:
            from django.core.management import ManagementUtility

            ManagementUtility(args).execute()


def answer(request):
    stdout, stderr = io.StringIO(), io.StringIO()
    saved_env = dict(os.environ)
    returncode = 0
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                if request["kind"] == "settings":
                    _settings(request)
                else:
                    _production(request)
            except SystemExit as exit:
                code = exit.code
                returncode = code if isinstance(code, int) else (0 if code is None else 1)
            except BaseException:  # noqa: BLE001 - what the process would die of
                traceback.print_exc()
                returncode = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    return {"returncode": returncode, "stdout": stdout.getvalue(), "stderr": stderr.getvalue()}


def main():
    out = sys.stdout
    for line in sys.stdin:
        if not line.strip():
            continue
        result = answer(json.loads(line))
        out.write(MARKER + json.dumps(result) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
