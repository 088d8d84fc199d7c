"""The Volunteering submenu's screens that are not a model's list (duty grid, auto-assign, hours
to confirm, handovers, messages, star levels, service records, team proposals, reports), after
the lists of volunteering/wagtail_hooks.py's VolunteeringGroup. Each shows only to those with
its permission; the screens check again."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from portal.admin_menu import PermissionMenuItem

# The volunteering screens that are not a model's list (duty grid, hours to confirm, messages...)
# sit in the same submenu as the lists, after them: one place in the sidebar for a coordinator's
# volunteering work.
VOLUNTEERING_MENU = "register_volunteering_menu_item"


@hooks.register(VOLUNTEERING_MENU)
def register_reports_menu():
    return PermissionMenuItem(
        _("Volunteer reports and QR codes"),
        reverse("volunteers_admin:posts"),
        icon_name="doc-full",
        order=108,
        permission="volunteers.view_shift",
    )


@hooks.register(VOLUNTEERING_MENU)
def duty_grid_menu():
    return PermissionMenuItem(
        _("Duty grid"),
        reverse("volunteers_admin:duty_grid"),
        icon_name="table",
        order=101,
        permission="volunteers.view_shift",
    )


@hooks.register(VOLUNTEERING_MENU)
def auto_assign_menu():
    return PermissionMenuItem(
        _("Auto-assign volunteers"),
        reverse("volunteers_admin:auto_assign"),
        icon_name="group",
        order=102,
        permission="volunteers.change_shift",
    )


@hooks.register(VOLUNTEERING_MENU)
def team_proposals_menu():
    return PermissionMenuItem(
        _("Team proposals"),
        reverse("volunteers_admin:team_proposals"),
        icon_name="group",
        order=109,
        permission="volunteers.add_team",
    )


@hooks.register(VOLUNTEERING_MENU)
def handovers_menu():
    return PermissionMenuItem(
        _("Shift handovers to approve"),
        reverse("volunteers_admin:handovers"),
        icon_name="resubmit",
        order=104,
        permission="volunteers.change_shift",
    )


@hooks.register(VOLUNTEERING_MENU)
def messages_menu():
    return PermissionMenuItem(
        _("Messages to volunteers"),
        reverse("volunteers_messages:list"),
        icon_name="mail",
        order=105,
        permission="volunteers.view_messagebatch",
    )


@hooks.register(VOLUNTEERING_MENU)
def hours_menu():
    return PermissionMenuItem(
        _("Hours to confirm"),
        reverse("volunteers_hours:hours_to_confirm"),
        icon_name="time",
        order=103,
        permission="volunteers.change_attendance",
    )


@hooks.register(VOLUNTEERING_MENU)
def star_review_menu():
    return PermissionMenuItem(
        _("Star levels"),
        reverse("volunteers_hours:star_review"),
        icon_name="pick",
        order=106,
        permission="volunteers.change_starapplication",
    )


@hooks.register(VOLUNTEERING_MENU)
def records_menu():
    return PermissionMenuItem(
        _("Service records"),
        reverse("volunteers_records:export"),
        icon_name="doc-full",
        order=107,
        permission="volunteers.view_attendance",
    )
