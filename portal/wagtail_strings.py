"""Wagtail admin strings that Wagtail ships without a Chinese translation.

Listed here (marked, not translated at import) so `makemessages` keeps them in portal's
catalogue, whose zh_Hans translations then fill the gaps wherever Wagtail uses them: Django
merges every app's catalogue into one.
"""

from django.utils.translation import gettext_noop

WAGTAIL_STRINGS = [
    # the last breadcrumb of every generic "add" view, e.g. "New: 社区"
    gettext_noop("New: %(model_name)s"),
]
