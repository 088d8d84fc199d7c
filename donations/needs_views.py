"""The public needs page (物资需求公示, issue 15.3) and the way from a need to a pledge form.
What the page shows comes from services.needs.public_needs: needs, figures and the community,
never a household, a person or a donor."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.models import Site

from donations import services
from donations.models import Donor, Need
from donations.services import needs as needs_service
from portal.pagecache import public_cache
from portal.scoping import donor_ids


def _community_links(request, needs):
    """{community id: url of its public section}, for the communities that have a live one."""
    from content.models import CommunitySectionPage

    ids = {need.community_id for need in needs if need.community_id}
    if not ids:
        return {}
    site = Site.find_for_request(request)
    links = {}
    for section in CommunitySectionPage.objects.live().filter(community_id__in=ids):
        url = section.get_url(request=request, current_site=site)
        if url:
            links[section.community_id] = url
    return links


@public_cache("PAGE_CACHE_BOARD_SECONDS", query=("page",), versions=(needs_service.VERSION_KEY,))
def needs(request):
    data = services.public_needs(request.GET.get("page"))
    links = _community_links(request, data["open"] + data["met"])
    for need in data["open"] + data["met"]:
        need.community_url = links.get(need.community_id)
    return render(request, "donations/needs.html", data)


def need_pledge(request, pk):
    """ "I will give this": a signed-in donor goes to the pledge form with the need filled in;
    a closed or met need says so and goes back to the page. A need never published (a draft,
    one waiting for approval or rejected) is not there for the public: 404."""
    need = get_object_or_404(
        Need.objects.select_related("item").exclude(
            status__in=[Need.Status.DRAFT, Need.Status.SUBMITTED, Need.Status.REJECTED]
        ),
        pk=pk,
    )
    if not need.open:
        messages.error(
            request,
            _("This need has been met. Thank you: please choose another need.")
            if need.status == Need.Status.MET
            else _("This need is closed; it takes no more pledges."),
        )
        return redirect("donations:needs")
    return _to_pledge_form(request, need)


@login_required
def _to_pledge_form(request, need):
    donors = list(Donor.objects.filter(pk__in=donor_ids(request.user)))
    if not donors:
        messages.info(request, _("Register as a donor first; then pledge against the need."))
        return redirect("donations:donor_register")
    if len(donors) == 1:
        url = reverse("donations:pledge_new", args=[donors[0].pk])
        return redirect(f"{url}?need={need.pk}")
    return render(request, "donations/need_choose_donor.html", {"need": need, "donors": donors})
