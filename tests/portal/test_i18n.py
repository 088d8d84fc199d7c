"""Every app's catalogues are complete: each msgid has a Chinese translation, and the compiled
.mo files say the same as the .po files (so a stale compile fails too)."""

import gettext
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/*.po"))  # django and djangojs


def test_every_app_has_catalogues():
    apps = {po.parts[-5] for po in CATALOGUES}
    assert {"portal", "content"} <= apps
    for po in CATALOGUES:
        assert (po.parents[2] / "en" / "LC_MESSAGES" / po.name).exists()


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.stem}")
def test_every_msgid_has_a_chinese_translation(path):
    catalogue = polib.pofile(str(path))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    assert not missing, f"untranslated in {path}: {missing[:10]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}-{p.stem}")
def test_compiled_catalogue_matches_source(path):
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is not compiled (run make messages)"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in polib.pofile(str(path)):
        if entry.obsolete or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert compiled._catalog.get(key) == entry.msgstr, f"stale .mo for {entry.msgid!r}"
