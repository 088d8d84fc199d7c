"""What each role may do with volunteering records (applied by portal.roles.sync_roles).
Nobody deletes them: shifts are cancelled, attendance corrected, accounts anonymised
(portal.admin's base has no delete view for them either)."""

from portal import roles

_TEAMS = ["team", "project"]
_MANAGED = ["volunteerprofile", "task", "shifttemplate", "shift", "signup", "attendance"]

PERMISSIONS = {
    roles.COORDINATOR: [
        f"volunteers.{action}_{model}"
        for model in _MANAGED
        for action in ("add", "change", "view")
        if not (model == "volunteerprofile" and action == "add")
    ]
    + [
        "volunteers.view_skill",
        "volunteers.view_attendancecorrection",
        "volunteers.view_certificate",
        # messages to the community's volunteers (services.messages)
        "volunteers.add_messagebatch",
        "volunteers.view_messagebatch",
        "volunteers.view_messagerecipient",
        "volunteers.view_starapplication",
    ]
    + [f"volunteers.{action}_{model}" for model in _TEAMS for action in ("add", "change", "view")]
    + ["volunteers.view_teammembership", "volunteers.change_teammembership"]
    + ["volunteers.view_projectmembership"],
    # A team leader: their teams (portal.scoping `team_lookup`), nothing of the community else.
    roles.TEAM_LEADER: [
        "volunteers.view_team",
        "volunteers.change_team",
        "volunteers.view_teammembership",
        "volunteers.change_teammembership",
        "volunteers.add_project",
        "volunteers.change_project",
        "volunteers.view_project",
        "volunteers.view_projectmembership",
        "volunteers.view_task",
        "volunteers.view_shifttemplate",
        "volunteers.view_shift",
        "volunteers.view_signup",
        "volunteers.view_attendance",
        # messages to their teams' and their projects' volunteers (services.messages)
        "volunteers.add_messagebatch",
        "volunteers.view_messagebatch",
        "volunteers.view_messagerecipient",
    ],
    roles.SUBDISTRICT_ADMIN: [
        f"volunteers.{action}_{model}"
        for model in [*_MANAGED, *_TEAMS, "skill", "attendancecorrection", "certificate"]
        for action in ("add", "change", "view")
    ]
    + ["volunteers.view_teammembership", "volunteers.change_teammembership"]
    + ["volunteers.view_projectmembership"]
    # Seeing an ID number whole (after re-authenticating, audited): this role only.
    + ["volunteers.view_full_id_number"]
    + [
        "volunteers.add_messagebatch",
        "volunteers.view_messagebatch",
        "volunteers.view_messagerecipient",
    ]
    # Star levels are reviewed and published by the subdistrict (issue 14.4).
    + ["volunteers.view_starapplication", "volunteers.change_starapplication"],
}
