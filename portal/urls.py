from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from portal import health
from portal import views as portal_views
from portal.accounts import views as accounts_views
from portal.admin.i18n import admin_js_catalog
from portal.audit_views import site_history_urlpatterns

urlpatterns = [
    *site_history_urlpatterns,  # Wagtail's site-history report, scoped (portal.audit_views)
    path("admin/login/", accounts_views.admin_login, name="admin_login"),
    path("admin/jsi18n/", admin_js_catalog, name="portal_admin_javascript_catalog"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("favicon.ico", portal_views.favicon, name="favicon"),
]

urlpatterns += i18n_patterns(
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("portal.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("me/", include("portal.account_urls")),
    path("volunteers/", include("volunteers.urls")),
    path("donations/", include("donations.urls")),
    path("assistance/", include("assistance.urls")),
    path("", include("content.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns = static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) + urlpatterns

handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
