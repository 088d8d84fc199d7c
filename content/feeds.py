"""RSS and Atom feeds of the newest notices (the subdistrict's and every community's)."""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from content.models import NoticeIndexPage, NoticePage
from portal.links import absolute

FEED_SIZE = 30


class NoticesFeed(Feed):
    title = _("Lugouqiao Subdistrict notices")
    description = _("Notices from the subdistrict and its communities.")
    # Atom requires an author for the feed (or every entry): the office that publishes.
    author_name = _("Lugouqiao Subdistrict Office")

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def link(self):
        index = NoticeIndexPage.objects.live().first()
        # On the site's address (SITE_URL), not the Host header the feed was fetched with.
        return absolute(index.get_url(self.request) if index else "/")

    def items(self):
        return NoticePage.objects.listing()[:FEED_SIZE]

    def item_title(self, item):
        return f"【{_('Urgent')}】{item.title}" if item.urgent else item.title

    def item_description(self, item):
        return item.summary or item.search_text[:200]

    def item_link(self, item):
        return absolute(item.get_url(self.request))

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at

    def item_categories(self, item):
        return [item.community.name] if item.community_id else []


class NoticesAtomFeed(NoticesFeed):
    feed_type = Atom1Feed
    subtitle = NoticesFeed.description
