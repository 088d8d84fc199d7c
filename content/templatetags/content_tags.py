from django import template

from content.cache import content_version

register = template.Library()


@register.inclusion_tag("content/includes/nav.html", takes_context=True)
def content_nav(context):
    """Links to the notice, course and story indexes (cached, see index_links)."""
    from content.models.pages import index_links

    links = index_links(context.get("request"))
    return {"links": [links[kind] for kind in ("notices", "courses", "stories") if kind in links]}


@register.simple_tag
def cache_version():
    """The content version, for {% cache ... %} keys that must change on publish."""
    return content_version()


@register.filter
def contains(collection, item):
    return item in (collection or ())
