"""What each role may do with volunteering records (applied by portal.roles.sync_roles).
Nobody deletes them: shifts are cancelled, attendance corrected, accounts anonymised
(portal.admin's base has no delete view for them either)."""

from portal import roles

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
        "volunteers.view_starapplication",
    ],
    roles.SUBDISTRICT_ADMIN: [
        f"volunteers.{action}_{model}"
        for model in [*_MANAGED, "skill", "attendancecorrection", "certificate"]
        for action in ("add", "change", "view")
    ]
    # Seeing an ID number whole (after re-authenticating, audited): this role only.
    + ["volunteers.view_full_id_number"]
    # Star levels are reviewed and published by the subdistrict (issue 14.4).
    + ["volunteers.view_starapplication", "volunteers.change_starapplication"],
}
