"""The site's URLs plus two public views that opt into the page cache: one with an inline script
under the request's CSP nonce, one with a form (and so a CSRF token) for anonymous visitors."""

from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from portal.pagecache import public_cache
from portal.urls import handler404, handler500
from portal.urls import urlpatterns as site_urlpatterns


@public_cache(60)
def with_script(request):
    return HttpResponse(f'<p>hello</p><script nonce="{request.csp_nonce}">go()</script>')


@public_cache(60)
def with_form(request):
    token = get_token(request)
    return HttpResponse(
        f'<form method="post"><input name="csrfmiddlewaretoken" value="{token}"></form>'
    )


urlpatterns = [path("script/", with_script), path("form/", with_form), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
