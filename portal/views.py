from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_http_methods

from portal import audit, personal_data


@login_required
def my_account(request):
    return render(request, "portal/my_account.html")


DOWNLOAD_FORMATS = {
    "xlsx": (
        personal_data.as_workbook,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "json": (personal_data.as_json, "application/json"),
}


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What the portal holds about me: shown on the page, downloadable as a workbook or JSON.
    Downloads are POSTs (no link to pre-fetch or forge) and are recorded in the audit trail."""
    found = personal_data.collect(request.user)
    if request.method == "POST":
        kind = request.POST.get("format")
        if kind not in DOWNLOAD_FORMATS:
            return HttpResponse(status=400)
        render_file, content_type = DOWNLOAD_FORMATS[kind]
        audit.record("personal_data.download", request=request, format=kind)
        stamp = timezone.localdate().isoformat()
        response = HttpResponse(render_file(request.user, found), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{kind}"'
        return response
    return render(request, "portal/my_data.html", {"sections": found})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Delete my account: every app erases its part (portal.personal_data); hours served and
    the stock ledger stay, without my name."""
    allowed = personal_data.can_delete_themselves(request.user)
    if request.method == "POST" and allowed:
        if request.POST.get("confirm") != "yes":
            messages.error(request, _("Please tick the box to confirm."))
            return redirect("delete_account")
        user = request.user
        audit.record("account.delete", request=request, obj=user)
        logout(request)
        personal_data.delete_account(user)
        messages.success(request, _("Your account is deleted. Thank you for your service."))
        return redirect("/")
    return render(request, "portal/delete_account.html", {"allowed": allowed})


@cache
def _favicon():
    return (Path(__file__).parent / "static" / "portal" / "favicon.ico").read_bytes()


@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers ask every site for /favicon.ico (Chromium for each page that names no icon of
    its own, such as /healthz): the icon, from memory, without a query, instead of the 404 page
    (which reads the menu from the database). Pages name portal/favicon.svg."""
    return HttpResponse(_favicon(), content_type="image/x-icon")


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    # No database, no context processors that might fail again: a static page.
    from django.template import loader

    # The page's one inline style carries the request's Content-Security-Policy nonce.
    context = {"csp_nonce": getattr(request, "csp_nonce", "")}
    return HttpResponse(loader.get_template("500.html").render(context), status=500)
