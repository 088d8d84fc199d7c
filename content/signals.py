"""Cache invalidation only: content changes bump the content cache version."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished

from content.cache import bump_content_version


def connect():
    from wagtail.models import Page

    page_published.connect(bump_content_version, dispatch_uid="content-version-publish")
    page_unpublished.connect(bump_content_version, dispatch_uid="content-version-unpublish")
    post_delete.connect(_page_deleted, sender=Page, dispatch_uid="content-version-delete")


def _page_deleted(sender, **kwargs):
    bump_content_version()
