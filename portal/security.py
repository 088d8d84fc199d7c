"""Response headers that keep personal pages out of caches and scripts out of pages, the storage
of private files, and the pixel cap on every image the portal decodes.

- `PrivateResponseMiddleware`: every response to a signed-in person is
  `Cache-Control: private, no-store` (a shared computer's back button, a proxy, a browser cache
  keep nothing of it); `private_response` does the same for a view whatever the user (a
  personal PDF, a private photo). It also sends the Permissions-Policy of settings.
- `ContentSecurityPolicyMiddleware`: django-csp's middleware with a second policy for the
  Wagtail admin (settings.CSP_ADMIN_POLICY), which cannot yet run under nonces.
- `PrivateFileSystemStorage`: files with no public URL (settings.STORAGES["private"]).
- `apply_image_pixel_cap`: Pillow refuses decompression bombs below its default cap.
"""

from functools import wraps

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.cache import patch_cache_control


def make_private(response):
    """Mark a response as for one person only: no cache anywhere may keep it. (Django drops a
    view's `public` when `private` is added; a max-age means nothing next to `no-store`.)"""
    patch_cache_control(response, private=True, no_store=True)
    return response


def private_response(view):
    """Decorator: the view's responses are `Cache-Control: private, no-store` for everyone."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return make_private(view(request, *args, **kwargs))

    return wrapper


def permissions_policy_header(policy):
    parts = []
    for feature, origins in policy.items():
        allowed = " ".join("self" if origin == "self" else f'"{origin}"' for origin in origins)
        parts.append(f"{feature}=({allowed})")
    return ", ".join(parts)


class PrivateResponseMiddleware:
    """Cache-Control for signed-in people, and the Permissions-Policy header for everyone.

    Sits after AuthenticationMiddleware. Static files (WhiteNoise answers them earlier) stay
    cacheable; so do anonymous pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            make_private(response)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp, with settings.CSP_ADMIN_POLICY under settings.CSP_ADMIN_PATH_PREFIXES."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if (
            not report_only
            and parts.config is None
            and request.path_info.startswith(tuple(settings.CSP_ADMIN_PATH_PREFIXES))
        ):
            parts.config = settings.CSP_ADMIN_POLICY
        return parts


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk with no URL: they are read by a view that checks who asks, never linked
    under MEDIA_URL (which the web server may serve to anyone)."""

    def url(self, name):
        raise ValueError("Private files have no URL; serve them through a view that checks access.")


def apply_image_pixel_cap():
    """Make Pillow refuse images beyond settings.IMAGE_MAX_PIXELS (called at start-up).

    Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; every upload validator
    checks the pixel count itself against the same setting, so a user gets a message either way.
    """
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = settings.IMAGE_MAX_PIXELS
