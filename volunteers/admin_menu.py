"""The Volunteering submenu's screens that are not a model's list (duty grid, auto-assign, hours
to confirm, handovers, messages, star levels, service records, reports, team proposals), after
the lists of volunteering/wagtail_hooks.py's VolunteeringGroup. Each shows only to those with
its permission; the screens check again."""

from django.utils.translation import gettext_lazy as _

from portal.admin_menu import register_screens

# The volunteering screens that are not a model's list (duty grid, hours to confirm, messages...)
# sit in the same submenu as the lists, after them: one place in the sidebar for a coordinator's
# volunteering work.
VOLUNTEERING_MENU = "register_volunteering_menu_item"
FIRST_ORDER = 101  # the lists come before

# In the submenu's order: (label, URL name, icon, the permission that shows it).
SCREENS = [
    (_("Duty grid"), "volunteers_admin:duty_grid", "table", "volunteers.view_shift"),
    (
        _("Auto-assign volunteers"),
        "volunteers_admin:auto_assign",
        "group",
        "volunteers.change_shift",
    ),
    (
        _("Hours to confirm"),
        "volunteers_hours:hours_to_confirm",
        "time",
        "volunteers.change_attendance",
    ),
    (
        _("Shift handovers to approve"),
        "volunteers_admin:handovers",
        "resubmit",
        "volunteers.change_shift",
    ),
    (
        _("Messages to volunteers"),
        "volunteers_messages:list",
        "mail",
        "volunteers.view_messagebatch",
    ),
    (
        _("Star levels"),
        "volunteers_hours:star_review",
        "pick",
        "volunteers.change_starapplication",
    ),
    (
        _("Service records"),
        "volunteers_records:export",
        "doc-full",
        "volunteers.view_attendance",
    ),
    (
        _("Volunteer reports and QR codes"),
        "volunteers_admin:posts",
        "doc-full",
        "volunteers.view_shift",
    ),
    (_("Team proposals"), "volunteers_admin:team_proposals", "group", "volunteers.add_team"),
]


register_screens(VOLUNTEERING_MENU, SCREENS, FIRST_ORDER)
