"""Site search that works for Chinese: a substring match over each page's search_text.

Chinese has no spaces between words, so word-based full-text search (Wagtail's database
backend, PostgreSQL's default text search configuration) never finds 消毒 inside
"84消毒液的配比". A case-insensitive substring match (LIKE / ILIKE-style, escaped by Django) over
the denormalised `search_text` column finds it on SQLite and PostgreSQL alike. Several words
separated by spaces must all appear. Pages whose title holds the words come first, then those
whose summary does, then the rest (matches in the body), newest first within each. The cost is a scan of the searchable pages, which for a
subdistrict's few thousand pages is a few milliseconds; a pg_trgm GIN index would be the next
step if it ever grows to hundreds of thousands.
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Length, Lower, StrIndex
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


def _every(terms, lookup):
    """Q: the field at `lookup` contains every term."""
    condition = Q()
    for term in terms:
        condition &= Q(**{f"{lookup}__icontains": term})
    return condition


def _any_model(terms, field):
    """Q: some searchable page type's `field` (on its own table) contains every term."""
    condition = Q()
    for model in SEARCHABLE.values():
        if any(f.name == field for f in model._meta.get_fields()):
            condition |= _every(terms, f"{model._meta.model_name}__{field}")
    return condition


# Where the words were found, best first.
IN_TITLE, IN_SUMMARY, IN_BODY = 0, 1, 2


def search_pages(query):
    """Live, public searchable pages whose text contains every term: title matches first (the
    earlier the word in the title, and the shorter the title, the better), then summary (or
    search description) matches, then body matches; newest first within each.

    Returns a queryset of base Page objects (call .specific() on a page of results)."""
    terms = terms_of(query)
    if not terms:
        return Page.objects.none()
    # The child table's search_text, reached through the multi-table join from Page.
    condition = _any_model(terms, "search_text")
    rank = Case(
        When(_every(terms, "title"), then=Value(IN_TITLE)),
        When(
            _any_model(terms, "summary") | _every(terms, "search_description"),
            then=Value(IN_SUMMARY),
        ),
        default=Value(IN_BODY),
        output_field=IntegerField(),
    )
    return (
        Page.objects.live()
        .public()
        .filter(condition)
        .annotate(
            search_rank=rank,
            # 0 when the title lacks the first word; those rows differ only in rank then.
            title_position=StrIndex(Lower("title"), Lower(Value(terms[0]))),
            title_length=Length("title"),
        )
        .order_by("search_rank", "title_position", "title_length", "-first_published_at", "-pk")
    )


def body_text(page):
    """The page's search text without its title in front (the title is shown on its own)."""
    text = page.search_text or ""
    return text[len(page.title) :].lstrip() if text.startswith(page.title) else text


def mark_terms(text, query):
    """The whole of `text`, escaped, every term wrapped in <mark>."""
    return _marked(text or "", [term.lower() for term in terms_of(query)])


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
    marked = _marked(excerpt, [term.lower() for term in terms])
    return mark_safe(prefix + marked + suffix)  # noqa: S308 - _marked escapes every piece


def _marked(text, needles):
    """`text` escaped piece by piece, the needles (lower case) wrapped in <mark>."""
    needles = sorted(set(needles), key=len, reverse=True)
    lowered = text.lower()
    pieces = []
    index = 0
    while index < len(text):
        match = next((needle for needle in needles if lowered.startswith(needle, index)), None)
        if match:
            pieces.append(f"<mark>{escape(text[index : index + len(match)])}</mark>")
            index += len(match)
        else:
            pieces.append(escape(text[index]))
            index += 1
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped
