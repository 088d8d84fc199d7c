"""Site search that works for Chinese: a substring match over each page's search_text.

Chinese has no spaces between words, so word-based full-text search (Wagtail's database
backend, PostgreSQL's default text search configuration) never finds 消毒 inside
"84消毒液的配比". A case-insensitive substring match (LIKE / ILIKE-style, escaped by Django) over
the denormalised `search_text` column finds it on SQLite and PostgreSQL alike. Several words
separated by spaces must all appear. The cost is a scan of the searchable pages, which for a
subdistrict's few thousand pages is a few milliseconds; a pg_trgm GIN index would be the next
step if it ever grows to hundreds of thousands.
"""

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import mark_safe
from wagtail.models import Page

from content.models import CoursePage, LessonPage, NoticePage, StoryPage

SEARCHABLE = {
    "notice": NoticePage,
    "course": CoursePage,
    "lesson": LessonPage,
    "story": StoryPage,
}
MAX_TERMS = 5
MAX_QUERY_LENGTH = 50
EXCERPT_CHARS = 60


def terms_of(query):
    """The words of a query: split at spaces, deduplicated, at most MAX_TERMS."""
    words = []
    for word in (query or "")[:MAX_QUERY_LENGTH].split():
        if word not in words:
            words.append(word)
    return words[:MAX_TERMS]


def search_pages(query):
    """Live, public searchable pages whose text contains every term, newest first.

    Returns a queryset of base Page objects (call .specific() on a page of results)."""
    terms = terms_of(query)
    if not terms:
        return Page.objects.none()
    condition = Q()
    for term in terms:
        any_model = Q()
        for model in SEARCHABLE.values():
            # The child table's search_text, reached through the multi-table join from Page.
            any_model |= Q(**{f"{model._meta.model_name}__search_text__icontains": term})
        condition &= any_model
    return Page.objects.live().public().filter(condition).order_by("-first_published_at", "-pk")


def highlight(text, query, width=EXCERPT_CHARS):
    """An excerpt of `text` around the first match, every term wrapped in <mark> (escaped)."""
    terms = terms_of(query)
    text = text or ""
    lowered = text.lower()
    positions = [lowered.find(term.lower()) for term in terms]
    positions = [pos for pos in positions if pos >= 0]
    start = max(min(positions) - width // 3, 0) if positions else 0
    excerpt = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    # Mark matches on the plain excerpt, escaping the pieces in between.
    pieces = []
    index = 0
    lowered_excerpt = excerpt.lower()
    needles = sorted({term.lower() for term in terms}, key=len, reverse=True)
    while index < len(excerpt):
        match = next(
            (needle for needle in needles if lowered_excerpt.startswith(needle, index)), None
        )
        if match:
            pieces.append(f"<mark>{escape(excerpt[index : index + len(match)])}</mark>")
            index += len(match)
        else:
            pieces.append(escape(excerpt[index]))
            index += 1
    return mark_safe(prefix + "".join(pieces) + suffix)  # noqa: S308 - every piece is escaped
