from allauth.account.views import SignupView
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from portal.accounts.forms import EmailSignupForm
from portal.roles import ADMIN_ACCESS


class EmailSignupView(SignupView):
    """allauth's signup view with the email form (the phone form is the default one)."""

    template_name = "account/signup_email.html"

    def get_form_class(self):
        return EmailSignupForm


signup_email = EmailSignupView.as_view()


def _admin_next(request):
    url = request.GET.get("next") or request.POST.get("next") or ""
    safe = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    if url and safe and not url.startswith(request.path):
        return url
    return reverse("wagtailadmin_home")


@never_cache
def admin_login(request):
    """Replaces Wagtail's own login page (/admin/login/, WAGTAILADMIN_LOGIN_URL).

    Nobody types a password here: anonymous visitors go to allauth's login (whose rate limits
    then guard the admin too) and come back; staff go on to the admin; an account without
    admin access (volunteer, donor representative) gets a plain refusal instead of being
    bounced between the admin and the login page.
    """
    next_url = _admin_next(request)
    if not request.user.is_authenticated:
        return redirect_to_login(next_url, login_url=reverse("account_login"))
    if request.user.has_perm(ADMIN_ACCESS):
        return redirect(next_url)
    return render(request, "account/admin_refused.html", status=403)
