from django import template
from django.utils.translation import gettext_lazy as _

from content.cache import content_version

register = template.Library()

NAV_LABELS = {
    "notices": _("Notices"),
    "courses": _("Prevention courses"),
    "stories": _("Stories"),
}


@register.inclusion_tag("content/includes/nav.html", takes_context=True)
def content_nav(context):
    """Links to the notice, course and story indexes (cached, see index_links), labelled in the
    reader's language: the pages' titles are the editors' Chinese, whatever the language."""
    from content.models.pages import index_links

    links = index_links(context.get("request"))
    return {
        "links": [
            {"url": links[kind]["url"], "title": label}
            for kind, label in NAV_LABELS.items()
            if kind in links
        ]
    }


@register.simple_tag
def cache_version():
    """The content version, for {% cache ... %} keys that must change on publish."""
    return content_version()


@register.filter
def contains(collection, item):
    return item in (collection or ())


@register.filter
def heading(page):
    """{{ page|heading }}: the page's heading in the current language (heading_of)."""
    from content.models.mixins import heading_of

    return heading_of(page)
