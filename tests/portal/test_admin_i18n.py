"""The Wagtail admin speaks Chinese: every message of Wagtail's admin (templates, Python and
JavaScript) has a zh-hans translation, Wagtail's own or portal's (portal/wagtail_strings/,
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


# --- One msgid, one meaning -----------------------------------------------------------------
# Django merges every app's catalogue into one, first app first: a msgid translated in two
# places gets one translation everywhere. "Pages" (content's pagination, "分页") renamed
# Wagtail's sidebar menu; "serial number" (a certificate's "证书编号") and "from" (a period's
# "开始日期") relabelled the dispatch list and the ledger. Where one English word has two
# meanings, the project says which with pgettext.

OUR_APPS = {"portal", "content", "volunteers", "donations", "assistance"}

# Our word replaces the framework's on purpose, with the same meaning (a better or house
# wording). Anything else that differs needs a context.
DELIBERATE = {
    "(optional)": "house wording, 选填",
    "Account": "账号, the current standard form of 帐号",
    "Action": "操作 reads right in the admin's log listing too",
    "Activate": "MFA: 启用 an authenticator",
    "Activate Authenticator App": "MFA: 启用",
    "Disabled": "已停用, for workflows and accounts alike",
    "Email": "house wording, 电子邮箱",
    "Email address": "house wording, 电子邮箱",
    "Log out": "退出登录, not 注销 (which we use for deleting an account)",
    "Row": "a spreadsheet's row number, in import previews",
    "Use a different email address": "house wording",
    "active": "启用, the same for places, tasks, items and users",
    "created": "a time column: 创建时间",
    "slug": "标识, a page's or place's URL part",
    "Completed at": "完成时间, a time column",
    "Filter": "筛选 is the usual word for list filters",
    "This field is required.": "house wording, short",
    "Enter a whole number.": "house wording",
}


def _catalogues():
    import gettext as stdlib_gettext

    from django.apps import apps

    catalogues = []
    for app in apps.get_app_configs():
        mo = Path(app.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        if mo.exists():
            with mo.open("rb") as handle:
                catalogue = stdlib_gettext.GNUTranslations(handle)._catalog
            catalogues.append((app.name, app.name.split(".")[0] in OUR_APPS, catalogue))
    django_mo = Path(translation.__file__).parents[2] / "conf/locale/zh_Hans/LC_MESSAGES/django.mo"
    with django_mo.open("rb") as handle:
        catalogues.append(("django", False, stdlib_gettext.GNUTranslations(handle)._catalog))
    return catalogues


def _translations():
    ours, theirs = {}, {}
    for name, is_ours, catalogue in _catalogues():
        for key, text in catalogue.items():
            if key == "" or not isinstance(key, str) or not text:
                continue
            (ours if is_ours else theirs).setdefault(key, {})[name] = text
    return ours, theirs


def test_one_msgid_has_one_meaning_across_our_apps():
    ours, _theirs = _translations()
    clashes = {key: found for key, found in ours.items() if len(set(found.values())) > 1}
    assert not clashes, (
        "the same msgid translated differently in two apps (one wins everywhere): "
        "give each meaning a pgettext context, or agree on one wording: "
        + "; ".join(f"{key!r}: {found}" for key, found in clashes.items())
    )


def test_our_translations_do_not_relabel_wagtail_or_django():
    ours, theirs = _translations()
    clashes = {
        key: (found, theirs[key])
        for key, found in ours.items()
        if key in theirs
        and key not in DELIBERATE
        and not set(found.values()) <= set(theirs[key].values())
    }
    assert not clashes, (
        "our catalogue would change what Wagtail/Django/allauth show for these msgids: give "
        "ours a pgettext context (or, for a deliberate wording, add it to DELIBERATE): "
        + "; ".join(
            f"{key!r}: ours {mine}, theirs {other}" for key, (mine, other) in clashes.items()
        )
    )


def test_the_sidebars_pages_is_pages_again():
    with translation.override("zh-hans"):
        assert translation.gettext("Pages") == "页面"
        assert translation.pgettext("pagination", "Pages") == "分页"
        assert translation.pgettext("certificate", "serial number") == "证书编号"
        assert translation.gettext("serial number") == "编号"
        assert translation.pgettext("stock movement", "from") == "发出"
