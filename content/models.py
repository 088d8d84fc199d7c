from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


def home_sections():
    """The ways into the portal; a section not built yet is marked as coming."""
    from django.urls import reverse

    return [
        {"title": _("Join as a volunteer"), "url": reverse("volunteers:index"), "coming": True,
         "text": _("Sign up, and once your community confirms you, take gate duty, disinfection and delivery shifts.")},
        {"title": _("Donations"), "url": reverse("donations:index"), "coming": True,
         "text": _("Firms and residents donate masks, disinfectant and more, traced all the way.")},
        {"title": _("Notices"), "url": "#", "coming": True,
         "text": _("Notices from the subdistrict and communities.")},
        {"title": _("Prevention courses"), "url": "#", "coming": True,
         "text": _("Training for disinfection and gate duty, completed before you start.")},
        {"title": _("Stories"), "url": "#", "coming": True,
         "text": _("Thanking every volunteer and every firm that helped.")},
    ]


class HomePage(Page):
    """The portal's front page: what it is, and the ways in (volunteer, donate, read)."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections()
        return context

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home page")
