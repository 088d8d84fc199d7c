"""Keeping derived data in step: content changes bump the content cache version, and a page
moved into or out of a community section gets its denormalised community re-derived."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from content.cache import bump_content_version


def connect():
    from wagtail.models import Page, PageViewRestriction

    from portal.naming import public_names_changed

    from .services.stories import _names_changed

    page_published.connect(bump_content_version, dispatch_uid="content-version-publish")
    page_unpublished.connect(bump_content_version, dispatch_uid="content-version-unpublish")
    post_delete.connect(_page_deleted, sender=Page, dispatch_uid="content-version-delete")
    post_page_move.connect(_page_moved, dispatch_uid="content-page-moved")
    # A page that gains or loses a view restriction leaves or joins the public lists (and the
    # page cache, which follows the same version).
    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            bump_content_version,
            sender=PageViewRestriction,
            dispatch_uid=f"content-version-restriction-{name}",
        )
    # A firm withdrew its consent to be named (donations says so): the stories thanking it
    # drop the name from their search text and cached copies.
    public_names_changed.connect(_names_changed, dispatch_uid="content-stories-naming")


def _page_deleted(sender, **kwargs):
    bump_content_version()


def _page_moved(sender, instance, **kwargs):
    from content.models.pages import SectionMembershipMixin

    pages = [instance, *instance.get_descendants()]
    for page in pages:
        page = page.specific
        if isinstance(page, SectionMembershipMixin):
            type(page).objects.filter(pk=page.pk).update(community_id=page.section_community_id())
    bump_content_version()
