"""The back office's shared core: the one scoped viewset base (`base`) that every app's screens
use, and the place directory's screens (`places`)."""

from .base import (
    ScopedViewMixin,
    ScopedViewSet,
    ScopedViewSetMixin,
    add_error_to_form,
    is_scoped_model,
    scope_choices,
    show_error,
)

__all__ = [
    "ScopedViewMixin",
    "ScopedViewSet",
    "ScopedViewSetMixin",
    "add_error_to_form",
    "is_scoped_model",
    "scope_choices",
    "show_error",
]
