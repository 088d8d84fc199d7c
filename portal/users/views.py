"""Wagtail's user screens with the portal's forms, the masked mobile number in the listing and
search by number (see portal/users/__init__.py)."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.users.views import users as wagtail_users

from portal.admin.base import ScopedViewSetMixin
from portal.users.forms import UserCreationForm, UserEditForm
from portal.validators import mask_mobile


class RaceSafeSaveMixin:
    """Two admins saving the same number (or username or address) at the same moment both pass
    validation; the unique constraint stops the second save. Show that admin the form again
    with the reason next to the field, as if they had typed a taken number, not a server error."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except IntegrityError:
            if self.object is not None and self.object.pk is not None:
                self.object = self.get_object()  # the failed form changed it in memory
            form = self.get_form()
            if self.is_valid(form):  # the check now sees the other account, so rarely true
                form.add_error(
                    None,
                    _(
                        "Another account was saved with the same details a moment ago. "
                        "Check the form and save again."
                    ),
                )
                self.is_valid(form)  # sets the error message Wagtail shows above the form
            return self.form_invalid(form)


class SuperuserGuardMixin:
    """Only a superuser makes somebody a superuser. Wagtail lets anyone who may change users
    tick "Administrator"; a subdistrict admin (街道管理员) may manage accounts and roles, but
    must not be able to lift an account, their own included, above the roles."""

    def get_form(self, *args, **kwargs):
        form = super().get_form(*args, **kwargs)
        field = form.fields.get("is_superuser")
        if field is not None and not self.request.user.is_superuser:
            field.disabled = True  # shown, but the posted value is ignored
            field.help_text = _("Only an administrator can change this.")
        return form


class IndexView(wagtail_users.IndexView):
    @cached_property
    def columns(self):
        columns = list(super().columns)
        names = [column.name for column in columns]
        username = self.model.USERNAME_FIELD
        position = names.index(username) + 1 if username in names else 2
        columns.insert(
            position,
            Column(
                "phone",
                accessor=lambda user: mask_mobile(user.phone),
                label=_("Mobile number"),
                sort_key="phone",
                classname="phone",
            ),
        )
        return columns

    @cached_property
    def search_fields(self):
        fields = super().search_fields
        return None if fields is None else fields | {"phone"}


class CreateView(SuperuserGuardMixin, RaceSafeSaveMixin, wagtail_users.CreateView):
    def get_breadcrumbs_items(self):
        # Wagtail 8 has no Chinese for its generic "New: %(model_name)s"; "Add user" has one.
        items = super().get_breadcrumbs_items()
        return [*items[:-1], {**items[-1], "label": self.page_title}]


class EditView(SuperuserGuardMixin, RaceSafeSaveMixin, wagtail_users.EditView):
    def dispatch(self, request, *args, **kwargs):
        # A superuser's number or password, changed by somebody else, would hand them the
        # account: as Wagtail already refuses to let them delete it, refuse editing it.
        if self.object.is_superuser and not request.user.is_superuser:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class UserViewSet(ScopedViewSetMixin, wagtail_users.UserViewSet):
    """On the one admin base (portal.admin), so accounts are not deleted from here either: an
    account is deactivated, and a volunteer deletes their own through the service that keeps
    their hours anonymised. Only holders of the user permissions (the subdistrict admin) reach
    these screens, so the listing is not cut down by community."""

    scoped = False
    index_view_class = IndexView
    add_view_class = CreateView
    edit_view_class = EditView
    create_template_name = "portal/users/create.html"
    edit_template_name = "portal/users/edit.html"

    def get_form_class(self, for_update=False):
        return UserEditForm if for_update else UserCreationForm
