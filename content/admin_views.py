"""Back-office screen: each community the user serves, with its section and its printable
volunteer poster; subdistrict admins can (re)run the section set-up for every community."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from content import services
from content.models import CommunitySectionPage
from portal import roles
from portal.models import Community
from portal.scoping import communities_for


def community_sections(request):
    user = request.user
    if not (
        roles.is_subdistrict_admin(user) or roles.has_role(user, roles.COORDINATOR, roles.EDITOR)
    ):
        raise PermissionDenied
    if request.method == "POST":
        if not roles.is_subdistrict_admin(user):
            raise PermissionDenied
        services.setup_editorial()
        for community in Community.objects.order_by("pk"):
            services.setup_community_section(community)
        messages.success(request, _("Every community has its section and editors' group."))
        return redirect("content_community_sections")
    communities = communities_for(user).order_by("name")
    sections = {
        section.community_id: section
        for section in CommunitySectionPage.objects.filter(community__in=communities)
    }
    rows = [(community, sections.get(community.pk)) for community in communities]
    return TemplateResponse(
        request,
        "content/admin/community_sections.html",
        {
            "rows": rows,
            "can_set_up": roles.is_subdistrict_admin(user),
            "header_title": _("Community sections and posters"),
        },
    )
