from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})


@login_required
def my_account(request):
    return render(request, "portal/my_account.html")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No database, no context processors that might fail again: a static page.
    from django.template import loader

    # The page's one inline style carries the request's Content-Security-Policy nonce.
    context = {"csp_nonce": getattr(request, "csp_nonce", "")}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
