"""What each role may do with help requests (applied by portal.roles.sync_roles). The hotline
is staffed by coordinators, so the coordinator role records requests."""

from portal import roles

_ALL = [
    f"assistance.{a}_{m}"
    for m in ("helprequest", "helprequestline")
    for a in ("add", "change", "view")
]

PERMISSIONS = {
    roles.COORDINATOR: _ALL,
    # Nobody deletes a help request: it is closed, then anonymised after the retention period.
    roles.SUBDISTRICT_ADMIN: _ALL,
}
