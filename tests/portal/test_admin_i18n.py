"""The Wagtail admin speaks Chinese: every message of Wagtail's admin (templates, Python and
JavaScript) has a zh-hans translation, Wagtail's own or portal's (portal/wagtail_strings.py,
portal/locale/*/djangojs.po), and the admin's JavaScript catalogue carries portal's."""

import json
import re
from pathlib import Path

import polib
import pytest
import wagtail
from django.test import override_settings
from django.utils import translation

WAGTAIL = Path(wagtail.__file__).parent
# The Wagtail apps in INSTALLED_APPS whose strings reach the admin.
WAGTAIL_APPS = [
    "admin",
    "contrib/forms",
    "contrib/redirects",
    "contrib/settings",
    "contrib/table_block",
    "documents",
    "embeds",
    "images",
    "search",
    "sites",
    "snippets",
    "users",
    ".",
]


def wagtail_messages(domain):
    for app in WAGTAIL_APPS:
        po = WAGTAIL / app / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if po.exists():
            yield from (entry for entry in polib.pofile(str(po)) if not entry.obsolete)


def untranslated(entries, gettext, ngettext, pgettext):
    missing = []
    for entry in entries:
        if entry.msgctxt:
            text = pgettext(entry.msgctxt, entry.msgid)
        elif entry.msgid_plural:
            text = ngettext(entry.msgid, entry.msgid_plural, 1)
        else:
            text = gettext(entry.msgid)
        # A translation has at least one Chinese character (or the message has no words).
        words = re.sub(r"%\(\w+\)\w|\{\w+\}|<[^>]*>", "", entry.msgid)
        if not re.search(r"[\u4e00-\u9fff]", text) and re.search(r"[A-Za-z]{3}", words):
            missing.append(entry.msgid)
    return missing


# Names and words that stay as they are in Chinese.
UNCHANGED = {
    "Wagtail API v2",
    "Wagtail API v3",
    "+%(counter)s more",
    "Wagtail",
    "URL",
    "ID",
    "Email",
    "API",
    "JSON",
    "CSV",
    "RSS",
}


def test_every_wagtail_admin_message_has_a_chinese_translation():
    with translation.override("zh-hans"):
        missing = untranslated(
            wagtail_messages("django"),
            translation.gettext,
            translation.ngettext,
            translation.pgettext,
        )
    missing = [m for m in missing if m not in UNCHANGED]
    assert not missing, f"{len(missing)} Wagtail messages in English: {missing[:15]}"


@pytest.mark.django_db
@override_settings(LANGUAGE_CODE="zh-hans")
def test_the_admins_javascript_catalogue_has_every_message_in_chinese(client):
    response = client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    body = response.content.decode()
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", body, re.S).group(1))

    def gettext(msgid):
        value = catalogue.get(msgid, msgid)
        return value if isinstance(value, str) else value[0]

    def ngettext(msgid, plural, n):
        value = catalogue.get(msgid, msgid)
        return value[0] if isinstance(value, list) else value

    def pgettext(context, msgid):
        return gettext(f"{context}\x04{msgid}")

    missing = untranslated(wagtail_messages("djangojs"), gettext, ngettext, pgettext)
    assert not missing, f"Wagtail's admin scripts in English: {missing[:15]}"
    assert "正在自动保存…" in catalogue.values()  # portal's ("Autosave in progress…")


def test_the_named_admin_strings_are_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Search all pages…") == "搜索全部页面…"
        assert translation.gettext("Shortcuts") != "Shortcuts"
        assert "引用" in translation.ngettext(
            "Referenced %(count)s time", "Referenced %(count)s times", 0
        )
        assert translation.gettext("Go to the first error") != "Go to the first error"
        assert translation.gettext("Save your changes before leaving") != (
            "Save your changes before leaving"
        )
        assert translation.gettext("Schedule to publish") == "定时发布"
