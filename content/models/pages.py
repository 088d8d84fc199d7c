"""The public pages: home, notices, stories and the communities' own sections.

Tree (created by content.demo and content.services.setup_community_section):

    HomePage
    ├── NoticeIndexPage  (通知公告)        └── NoticePage
    ├── CourseIndexPage  (防疫课堂)        └── CoursePage └── LessonPage   (content.models.courses)
    ├── StoryIndexPage   (暖心故事)        └── StoryPage
    └── CommunityIndexPage (社区)          └── CommunitySectionPage (one per portal.Community)
                                               ├── NoticePage
                                               └── StoryPage

Index pages list every live notice or story in the site, wherever it sits; a community section
lists its own children plus the subdistrict's notices targeted at its community.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from content.blocks import BaseStreamBlock, ThankedPartyBlock, thanked_name_and_link
from content.cache import private_q as cached_private_q
from portal.bounds import MAX_SORT_ORDER, max_value

from .mixins import IndexPage, ListingFieldsMixin, SearchTextMixin, paginate

HOME_NOTICES = 5


class HomePage(Page):
    """The portal's front page: the ways in, live figures, and the newest notices, courses and
    stories (each list a bounded query, cached as a template fragment)."""

    # The heading outside Chinese (content.models.mixins.heading_of).
    heading_label = _("Lugouqiao Subdistrict Volunteer and Donation Portal")

    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "content.NoticeIndexPage",
        "content.CourseIndexPage",
        "content.StoryIndexPage",
        "content.CommunityIndexPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home page")

    def get_context(self, request, *args, **kwargs):
        from content.models.courses import CoursePage
        from portal.figures import public_figures

        context = super().get_context(request, *args, **kwargs)
        context["sections"] = home_sections(request)
        # Querysets stay lazy: the template evaluates them inside {% cache %} fragments.
        # Urgent notices first, so a current one is never pushed off by newer ordinary ones;
        # notices that start later are shown already (residents need to know in advance).
        context["latest_notices"] = (
            NoticePage.objects.listing().not_ended().urgent_first()[:HOME_NOTICES]
        )
        context["latest_courses"] = CoursePage.objects.listing()[:3]
        context["latest_stories"] = StoryPage.objects.listing()[:3]
        context["figures"] = public_figures
        return context


def home_sections(request=None):
    """The ways into the portal: volunteering, donations and the three content indexes."""
    from django.urls import reverse

    links = index_links(request)

    def url_of(kind):
        return links[kind]["url"] if kind in links else None

    sections = [
        {
            "title": _("Join as a volunteer"),
            "url": reverse("volunteers:index"),
            "text": _(
                "Sign up, and once your community confirms you, take gate duty, disinfection and delivery shifts."
            ),
        },
        {
            "title": _("Donations"),
            "url": reverse("donations:index"),
            "text": _(
                "Firms and residents donate masks, disinfectant and more, traced all the way."
            ),
        },
        {
            "title": _("Notices"),
            "url": url_of("notices"),
            "text": _("Notices from the subdistrict and communities."),
        },
        {
            "title": _("Prevention courses"),
            "url": url_of("courses"),
            "text": _("Training for disinfection and gate duty, completed before you start."),
        },
        {
            "title": _("Stories"),
            "url": url_of("stories"),
            "text": _("Thanking every volunteer and every firm that helped."),
        },
    ]
    for section in sections:
        section["coming"] = section["url"] is None
        section["url"] = section["url"] or "#"
    return sections


def index_links(request=None):
    """{kind: {"title", "url"}} of the live index pages, cached per language and content
    version (so the nav and the home page cost no query once warm)."""
    from django.utils.translation import get_language

    from content.cache import cached_per_version

    return cached_per_version(
        f"content:index-links:{get_language()}",
        lambda: {
            kind: {"title": page.title, "url": page.get_url(request)}
            for kind, page in index_pages().items()
        },
        600,
    )


def index_pages(home=None):
    """The live index pages by kind ("notices", "courses", "stories", "communities"), found
    with one query."""
    from content.models.courses import CourseIndexPage

    kinds = {
        NoticeIndexPage: "notices",
        CourseIndexPage: "courses",
        StoryIndexPage: "stories",
        CommunityIndexPage: "communities",
    }
    queryset = Page.objects.live().type(*kinds).order_by("path")
    if home is not None:
        queryset = queryset.child_of(home)
    found = {}
    for page in queryset.select_related("content_type"):
        kind = kinds.get(page.content_type.model_class())
        if kind and kind not in found:
            found[kind] = page
    return found


class ListingQuerySet(PageQuerySet):
    def private_q(self):
        return cached_private_q()  # public() without a query of its own (content/cache.py)

    def listing(self):
        """Live, public pages with what a list shows, newest first."""
        return (
            self.live()
            .public()
            .select_related("listing_image", "community")
            .prefetch_related("listing_image__renditions")
            .order_by("-date", "-first_published_at", "-pk")
        )


class NoticeQuerySet(ListingQuerySet):
    def not_ended(self, when=None):
        """Notices in force or still to come: what lists show. A notice that starts tomorrow
        ("the south gate closes from tomorrow 22:00") is news today."""
        when = when or timezone.now()
        return self.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=when))

    def in_force(self, when=None):
        """Notices that apply now: started (or no start) and not yet ended (or no end)."""
        when = when or timezone.now()
        return self.not_ended(when).filter(Q(valid_from__isnull=True) | Q(valid_from__lte=when))

    def urgent_first(self):
        return self.order_by("-urgent", "-date", "-first_published_at", "-pk")

    def for_community(self, community):
        """Notices in the community's section, or targeted at the community."""
        return self.filter(Q(community=community) | Q(target_communities=community)).distinct()


class SectionMembershipMixin(models.Model):
    """The community whose section a page sits in (empty for the subdistrict's pages).

    Derived from the tree on every full save, so lists can show it without walking up the tree
    and portal.scoping can scope by it.
    """

    community_lookup = "community"

    community = models.ForeignKey(
        "portal.Community",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("community"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.path and kwargs.get("update_fields") is None:
            self.community_id = self.section_community_id()
        return super().save(*args, **kwargs)

    def section_community_id(self):
        ancestors = [self.path[:n] for n in range(self.steplen, len(self.path), self.steplen)]
        section = (
            CommunitySectionPage.objects.filter(path__in=ancestors).only("community_id").first()
        )
        return section.community_id if section else None


class NoticeIndexPage(IndexPage):
    """通知公告: every live notice in the site, urgent current ones first, ten to a page."""

    heading_label = _("Notices")
    subpage_types = ["content.NoticePage"]

    class Meta:
        verbose_name = _("notice index")
        verbose_name_plural = _("notice indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = NoticePage.objects.listing().prefetch_related("target_communities")
        urgent = list(notices.not_ended().filter(urgent=True)[:3])
        context["urgent_notices"] = urgent
        # pinned above the list, so not a second time in it
        context["notices"] = paginate(request, notices.exclude(pk__in=[n.pk for n in urgent]))
        return context


class NoticePage(SearchTextMixin, SectionMembershipMixin, ListingFieldsMixin, Page):  # noqa: DJ008
    """A notice (通知公告) from the subdistrict or, inside a community section, a community.

    It may target communities: it then also shows on those communities' section pages and to
    their volunteers (content.services.notices_for_user). `valid_from`/`valid_until` say when
    it applies (lists show notices in force or still to come, never ended ones); `expire_at`
    on the Settings tab unpublishes.
    """

    date = models.DateField(_("notice date"), default=timezone.localdate)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("Urgent notices are shown first, in red.")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    target_communities = ParentalManyToManyField(
        "portal.Community",
        blank=True,
        related_name="targeted_notices",
        verbose_name=_("for communities"),
        help_text=_(
            "Leave empty for everyone; otherwise it also shows on these communities' pages."
        ),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)

    objects = PageManager.from_queryset(NoticeQuerySet)()

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date"), FieldPanel("urgent")]),
                FieldRowPanel([FieldPanel("valid_from"), FieldPanel("valid_until")]),
                FieldPanel("target_communities"),
            ],
            heading=_("Who and when"),
        ),
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("Attachments")),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("urgent"),
        index.FilterField("date"),
    ]
    search_text_fields = ("title", "summary", "body")
    api_fields = [
        APIField("date"),
        APIField("urgent"),
        APIField("valid_from"),
        APIField("valid_until"),
        APIField("summary"),
        APIField("body"),
    ]
    parent_page_types = ["content.NoticeIndexPage", "content.CommunitySectionPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def clean(self):
        from django.core.exceptions import ValidationError

        super().clean()
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end is before the start.")})

    def validity_state(self, when=None):
        """ "upcoming", "in_force" or "ended" (a notice with neither bound is always in force)."""
        when = when or timezone.now()
        if self.valid_until is not None and self.valid_until < when:
            return "ended"
        if self.valid_from is not None and self.valid_from > when:
            return "upcoming"
        return "in_force"

    @property
    def validity(self):
        """{"state", "text"} for the page and lists: "自 12月4日 22:00 起" before it starts,
        "有效期至 ..." while it applies, "已于 ... 失效" after; times in Beijing time. None when
        the notice has no bounds."""
        return notice_validity(self)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["attachments"] = self.attachments.select_related("document")
        return context


def _moment(value, now):
    """A time as people say it, in Beijing time: "12月4日 22:00" (the year only when it is not
    this year's)."""
    from django.utils.dateformat import format as format_date
    from django.utils.translation import pgettext

    local = timezone.localtime(value)
    if local.year == timezone.localtime(now).year:
        pattern = pgettext("notice validity, date and time this year", "j M H:i")
    else:
        pattern = pgettext("notice validity, date and time another year", "j M Y H:i")
    return format_date(local, pattern)


def notice_validity(notice, when=None):
    from django.utils.translation import gettext

    if notice.valid_from is None and notice.valid_until is None:
        return None
    when = when or timezone.now()
    state = notice.validity_state(when)
    start = _moment(notice.valid_from, when) if notice.valid_from else None
    end = _moment(notice.valid_until, when) if notice.valid_until else None
    if state == "ended":
        text = gettext("Ended %(end)s") % {"end": end}
    elif state == "upcoming" and end:
        text = gettext("From %(start)s until %(end)s") % {"start": start, "end": end}
    elif state == "upcoming":
        text = gettext("From %(start)s") % {"start": start}
    elif end:
        text = gettext("In force until %(end)s") % {"end": end}
    else:
        text = gettext("In force since %(start)s") % {"start": start}
    return {"state": state, "text": text}


class NoticeAttachment(Orderable):
    """A document attached to a notice (a form to fill in, the full text as PDF)."""

    page = ParentalKey(NoticePage, on_delete=models.CASCADE, related_name="attachments")
    sort_order = models.IntegerField(
        null=True, blank=True, editable=False, validators=[max_value(MAX_SORT_ORDER)]
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("link text"), max_length=100, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class StoryIndexPage(IndexPage):
    """暖心故事: every live story in the site, newest first, ten to a page."""

    heading_label = _("Stories")
    subpage_types = ["content.StoryPage"]

    class Meta:
        verbose_name = _("story index")
        verbose_name_plural = _("story indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = paginate(request, StoryPage.objects.listing())
        return context


class StoryPage(SearchTextMixin, SectionMembershipMixin, ListingFieldsMixin, Page):  # noqa: DJ008
    """A thank-you story (暖心故事). It cites the people and firms it thanks as `thanked`
    entries; an entry is named (and linked, e.g. to a donation's page) only when its consent
    box is ticked, and is otherwise shown as "a resident who asked not to be named"."""

    date = models.DateField(_("story date"), default=timezone.localdate)
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    thanked = StreamField(
        [("party", ThankedPartyBlock())],
        verbose_name=_("thanked"),
        blank=True,
        help_text=_("The people and firms this story thanks."),
    )

    objects = PageManager.from_queryset(ListingQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("body"),
        FieldPanel("thanked"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    search_text_fields = ("title", "summary", "body")
    # Not `thanked`: it holds the names of people who did not agree to be named.
    api_fields = [APIField("date"), APIField("summary"), APIField("body")]
    parent_page_types = ["content.StoryIndexPage", "content.CommunitySectionPage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def build_search_text(self):
        # Only the names people agreed to show are searchable.
        named = [
            party.value["name"] for party in self.thanked if thanked_name_and_link(party.value)[0]
        ]
        return " ".join([super().build_search_text(), *named]).strip()


class CommunityIndexPage(IndexPage):
    """社区: the parent of every community's section."""

    heading_label = _("Communities")
    subpage_types = ["content.CommunitySectionPage"]

    class Meta:
        verbose_name = _("community index")
        verbose_name_plural = _("community indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["sections"] = (
            CommunitySectionPage.objects.child_of(self)
            .live()
            .public()
            .select_related("community")
            .order_by("community__name")
        )
        return context


class CommunitySectionPage(Page):
    """A community's own section (created by `setup_community_section <slug>`): its notices
    and stories live under it, and only that community's editors may edit them."""

    community = models.OneToOneField(
        "portal.Community",
        on_delete=models.PROTECT,
        related_name="content_section",
        verbose_name=_("community"),
    )
    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("community"), FieldPanel("intro")]
    parent_page_types = ["content.CommunityIndexPage"]
    subpage_types = ["content.NoticePage", "content.StoryPage"]

    class Meta:
        verbose_name = _("community section")
        verbose_name_plural = _("community sections")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        notices = (
            NoticePage.objects.listing()
            .not_ended()
            .for_community(self.community)
            .urgent_first()
            .prefetch_related("target_communities")
        )
        context["notices"] = paginate(request, notices)
        context["stories"] = StoryPage.objects.listing().filter(community=self.community)[:6]
        return context
