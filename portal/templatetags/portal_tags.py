from django import template
from django.conf import settings
from django.utils.translation import get_language_info

register = template.Library()


def _strip_language_prefix(path):
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if code != settings.LANGUAGE_CODE and path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


# The longest query string the language links carry over (a search, a filter, a page number).
MAX_CARRIED_QUERY = 512


@register.simple_tag(takes_context=True)
def language_links(context):
    """The current page in every language: Chinese unprefixed, others under /<code>/."""
    request = context.get("request")
    path = _strip_language_prefix(request.path if request else "/")
    query = request.META.get("QUERY_STRING", "") if request else ""
    if len(query) > MAX_CARRIED_QUERY:  # a pasted essay is not echoed into every page
        query = ""
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    links = []
    for code, _name in settings.LANGUAGES:
        url = path if code == settings.LANGUAGE_CODE else f"/{code}{path}"
        if query:
            url = f"{url}?{query}"
        info = get_language_info(code)
        links.append(
            {"code": code, "name": info["name_local"], "url": url, "current": code == current}
        )
    return links


@register.filter
def absolute(url):
    """{{ page.url|absolute }}: the link on the site's public address (SITE_URL, portal.links),
    never the Host header of the request being answered."""
    from portal.links import absolute as on_site

    url = str(url or "")
    return url if url.startswith(("http://", "https://")) else on_site(url)
