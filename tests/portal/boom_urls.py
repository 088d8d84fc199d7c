"""The site's URLs plus one view that fails, to see the server-error page as visitors do."""

from django.urls import path

from portal.urls import handler404, handler500
from portal.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a failing view")


urlpatterns = [path("boom/", boom), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
