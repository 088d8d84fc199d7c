"""What each role may do with donations records (applied by portal.roles.sync_roles)."""

from portal import roles

_ALL = [
    "donor",
    "donorrepresentative",
    "item",
    "location",
    "pledge",
    "pledgeline",
    "receipt",
    "receivingline",
    "lot",
    "balance",
    "movement",
    "supplyrequest",
    "supplyrequestline",
    "allocation",
    "dispatch",
    "communityreceipt",
    "communityreceiptline",
    "distribution",
    "distributionline",
    "safetystock",
    "donorreturn",
    "recall",
    "recallreturn",
    "closingletter",
    "stocktake",
    "stocktakeline",
    "need",
]


def _perms(actions, models):
    return [f"donations.{action}_{model}" for model in models for action in actions]


PERMISSIONS = {
    # The warehouse keeper receives, keeps, allocates and dispatches; verifies donors.
    roles.WAREHOUSE: _perms(["view"], _ALL)
    + _perms(
        ["add", "change"],
        [
            "donor",
            "item",
            "location",
            "pledge",
            "pledgeline",
            "receipt",
            "allocation",
            "dispatch",
            "movement",
            "safetystock",
            "stocktake",
            "stocktakeline",
        ],
    )
    + _perms(["add"], ["distribution"])
    # Stock-take (issue 15.4): counts any store and approves counts made by someone else.
    + ["donations.approve_stocktake", "donations.dispose_balance"],
    # A community coordinator requests supplies, confirms receipt and records distribution.
    roles.COORDINATOR: _perms(
        ["view"],
        [
            "item",
            "location",
            "balance",
            "movement",
            "supplyrequest",
            "supplyrequestline",
            "allocation",
            "dispatch",
            "communityreceipt",
            "distribution",
            "lot",
        ],
    )
    + _perms(["add"], ["supplyrequest", "communityreceipt", "distribution"])
    # A community keeps its own minimum levels (issue 15.2), scoped to its communities.
    + _perms(["view", "add", "change"], ["safetystock"])
    # Counts its own stores (the warehouse or the office approves) and disposes of expired
    # goods there (issue 15.3/15.4), scoped to its communities by the services.
    + _perms(["view", "add", "change"], ["stocktake", "stocktakeline"])
    + ["donations.dispose_balance"]
    # A community publishes what it needs (issue 15.3); the subdistrict approves it.
    + _perms(["view", "add", "change"], ["need"]),
    roles.SUBDISTRICT_ADMIN: _perms(["view", "add", "change"], _ALL)
    + ["donations.approve_stocktake", "donations.dispose_balance"],
}
