"""Fields and behaviour that several page types share."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

LISTING_PAGE_SIZE = 10


def heading_of(page):
    """The page's heading in the reader's language. Home and index pages are the site's frame:
    their titles are the editors' Chinese, so in another language they are headed by their
    class's translated `heading_label`. Other pages keep their title (content may stay
    Chinese where no translation exists)."""
    # `page` in a template is not always a Wagtail page (a paginator's page, say): no label.
    label = getattr(getattr(page, "specific_class", None), "heading_label", None)
    if label is None or get_language() == settings.LANGUAGE_CODE:
        return getattr(page, "title", "")
    return str(label)


def paginate(request, queryset, per_page=LISTING_PAGE_SIZE):
    """One page of `queryset` for ?page=N; out-of-range numbers give the last page."""
    paginator = Paginator(queryset, per_page)
    try:
        return paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


class IndexPage(Page):
    """One of the site's top-level lists (notices, courses, stories, communities): one of each,
    under the home page, with a short introduction. Each names its heading outside Chinese
    (`heading_label`, see heading_of), the pages it lists (`subpage_types`) and what its page
    shows (`get_context`)."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


class SearchTextMixin(models.Model):
    """A plain-text copy of the page (title, summary, body) kept for the site search.

    Wagtail's database search backend splits text into words at spaces, which Chinese does not
    have, so "消毒" would never match "84消毒液的配比". The site search (content.search) instead
    runs a substring match over this column, which works the same on SQLite and PostgreSQL.
    It is rebuilt on every full save, and publishing a revision does a full save, so it always
    holds the live content (saving a draft revision only touches a few columns).
    """

    search_text = models.TextField(editable=False, blank=True, default="")

    # Model fields copied into search_text, in order; StreamFields contribute their text.
    search_text_fields: tuple = ("title", "search_description")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = (
                {*update_fields, "search_text"}
                if any(name in update_fields for name in self.search_text_fields)
                else update_fields
            )
        return super().save(*args, **kwargs)

    def build_search_text(self):
        parts = []
        for name in self.search_text_fields:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if not value:
                continue
            if isinstance(field, StreamField):
                parts.extend(str(text) for text in field.get_searchable_content(value))
            else:
                parts.append(str(value))
        text = " ".join(strip_tags(part) for part in parts)
        return " ".join(text.split())


class ListingFieldsMixin(models.Model):
    """What a page shows when it appears in a list: a summary and an optional image."""

    summary = models.CharField(
        _("summary"),
        max_length=300,
        blank=True,
        help_text=_("One or two sentences shown in lists and link previews."),
    )
    listing_image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("listing image"),
    )

    class Meta:
        abstract = True
