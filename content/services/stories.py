"""Stories after a consent changed elsewhere: whether a thanked firm or person may be named is
decided when a story is shown (content.blocks.thanked_name_and_link, asking portal.naming), but
two copies are made earlier - the story's `search_text` (built on save) and the cached pages
(the page cache, a proxy in front). Both are refreshed here."""

from portal.pagecache import purge_pages

from ..cache import bump_content_version


def stories_naming(names):
    """The stories (specific, live or not) whose thanks name any of `names`."""
    from ..models import StoryPage

    names = {name.strip() for name in names if name}
    return [
        story
        for story in StoryPage.objects.all()
        if any((party.value.get("name") or "").strip() in names for party in story.thanked)
    ]


def refresh_stories_naming(names):
    """Rebuild the search text of the stories that name any of `names`, make the page cache
    stale and purge those stories (and the lists above them) from a proxy in front. Returns
    the stories."""
    from ..models import StoryPage

    stories = stories_naming(names)
    for story in stories:
        text = story.build_search_text()
        if text != story.search_text:
            StoryPage.objects.filter(pk=story.pk).update(search_text=text)
            story.search_text = text
    if stories:
        bump_content_version()
        purge_pages([story for story in stories if story.live])
    return stories


def _names_changed(sender, names, **kwargs):
    refresh_stories_naming(names)
