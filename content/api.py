"""Wagtail API v2, read-only: pages (live and public only, as PagesAPIViewSet does), images
and documents. Mounted at /api/v2/ by content.urls."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

# Its URLs sit inside the "content" namespace (content.urls), hence the nested name.
api_router = WagtailAPIRouter("content:wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
