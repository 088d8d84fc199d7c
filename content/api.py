"""Wagtail API v2, read-only: pages (live and public only, as PagesAPIViewSet does), images
and documents. Mounted at /api/v2/ by content.urls."""

from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

# Far beyond any listing the portal has, and inside every database's integer range.
MAX_OFFSET = 1_000_000


class BoundedPagination(WagtailPagination):
    """Wagtail's pagination checks that offset is a non-negative integer but not its size: an
    offset of 2**63 reached the database as an OFFSET it cannot hold (a 500). Too large is a
    400, like a negative one."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            offset = int(request.GET.get("offset", 0))
        except ValueError:
            offset = 0  # Wagtail's own check answers it
        if offset > MAX_OFFSET:
            raise BadRequestError(f"offset cannot be higher than {MAX_OFFSET}")
        return super().paginate_queryset(queryset, request, view)


class PortalPagesAPIViewSet(PagesAPIViewSet):
    pagination_class = BoundedPagination


class PortalImagesAPIViewSet(ImagesAPIViewSet):
    pagination_class = BoundedPagination


class PortalDocumentsAPIViewSet(DocumentsAPIViewSet):
    pagination_class = BoundedPagination


# Its URLs sit inside the "content" namespace (content.urls), hence the nested name.
api_router = WagtailAPIRouter("content:wagtailapi")
api_router.register_endpoint("pages", PortalPagesAPIViewSet)
api_router.register_endpoint("images", PortalImagesAPIViewSet)
api_router.register_endpoint("documents", PortalDocumentsAPIViewSet)
