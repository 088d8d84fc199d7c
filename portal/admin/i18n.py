"""The admin's JavaScript catalogue: Wagtail's own (wagtail.admin's djangojs) plus portal's, which
translates the strings of Wagtail's admin scripts that Wagtail's zh_Hans catalogue lacks
("Autosave in progress…", "%(num)s errors", the block picker...). It answers at Wagtail's own
URL (/admin/jsi18n/, `wagtailadmin_javascript_catalog`), mounted before the admin's URLs."""

from django.views.i18n import JavaScriptCatalog
from wagtail.admin.localization import get_localized_response

# Later packages win where both translate a message; portal's only fills gaps.
js_catalog = JavaScriptCatalog.as_view(packages=["wagtail.admin", "portal"])


def admin_js_catalog(request, *args, **kwargs):
    # Like Wagtail's: in the language of the person's admin profile, not the browser's.
    return get_localized_response(js_catalog, request, *args, **kwargs)
