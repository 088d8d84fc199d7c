"""The portal's screens in the Wagtail admin: the place directory and staff memberships."""

from wagtail import hooks

from portal.admin.base import refuse_bulk_delete
from portal.admin.places import PlacesViewSetGroup


@hooks.register("register_admin_viewset")
def register_places():
    return PlacesViewSetGroup()


hooks.register("before_bulk_action", refuse_bulk_delete)
