"""Wagtail admin strings that Wagtail ships without a Chinese translation.

Listed here (marked, not translated at import) so `makemessages` keeps them in portal's
catalogue, whose zh_Hans translations then fill the gaps wherever Wagtail uses them: Django
merges every app's catalogue into one, and Wagtail's own zh_Hans catalogue leaves about 380 of
its admin's messages (the page search, the shortcuts dialog, "Referenced 0 times", the schedule
dialog, "Save your changes before leaving"...) untranslated. tests/portal/test_admin_i18n.py
fails when a Wagtail upgrade brings new ones: add them here and to the catalogues.

The admin's JavaScript strings are in portal/locale/*/LC_MESSAGES/djangojs.po, served with
Wagtail's own at /admin/jsi18n/ (portal.admin.i18n).

The lists are split by the Wagtail app that ships the message (admin.py, core.py, apps.py).
"""
