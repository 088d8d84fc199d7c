"""Existing data: household distributions made before are linked to their help request where
one fulfilled them, and the address they copied (building, compound, the movement's reason,
the old note) is blanked; requests anonymised before lose their need text too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("donations", "0004_protect_records_from_deletion"),
    ("assistance", "0003_protect_records_from_deletion"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_old_household_distributions_are_linked_and_blanked():
    old = _migrate(BEFORE)
    Community = old.get_model("portal", "Community")
    Compound = old.get_model("portal", "Compound")
    Subdistrict = old.get_model("portal", "Subdistrict")
    Item = old.get_model("donations", "Item")
    Donor = old.get_model("donations", "Donor")
    Lot = old.get_model("donations", "Lot")
    Location = old.get_model("donations", "Location")
    Distribution = old.get_model("donations", "Distribution")
    Movement = old.get_model("donations", "Movement")
    HelpRequest = old.get_model("assistance", "HelpRequest")

    subdistrict = Subdistrict.objects.create(name="卢沟桥街道", district="丰台区")
    community = Community.objects.create(subdistrict=subdistrict, name="民岳家园社区", slug="m")
    compound = Compound.objects.create(community=community, name="民岳家园一区")
    store = Location.objects.create(name="社区库房", kind="community", community=community)
    item = Item.objects.create(name="口罩", category="masks", unit="只")
    lot = Lot.objects.create(
        item=item,
        donor=Donor.objects.create(
            kind="person", name="李女士", contact_name="李", contact_phone="13800000000"
        ),
    )
    now = timezone.now()

    def household(building, note=""):
        distribution = Distribution.objects.create(
            community=community,
            location=store,
            recipient="household",
            compound=compound,
            building=building,
            note=note,
            distributed_at=now,
        )
        Movement.objects.create(
            kind="distribute",
            item=item,
            lot=lot,
            quantity=1,
            from_location=store,
            community=community,
            distribution=distribution,
            reason=f"民岳家园一区 {building}",
        )
        return distribution

    fulfilled = household("3号楼2单元501", note="居民求助 #1")
    request = HelpRequest.objects.create(
        community=community,
        compound=compound,
        building="3号楼2单元501",
        contact_phone="13800001111",
        need="退烧药",
        status="closed",
        distribution=fulfilled,
        anonymised_at=now,
    )
    typed_by_hand = household("5号楼")
    post = Distribution.objects.create(
        community=community, location=store, recipient="volunteers", distributed_at=now
    )

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Distribution = new.get_model("donations", "Distribution")
    Movement = new.get_model("donations", "Movement")
    HelpRequest = new.get_model("assistance", "HelpRequest")

    assert Distribution.objects.get(pk=fulfilled.pk).help_request_id == request.pk
    assert Distribution.objects.get(pk=fulfilled.pk).note == ""
    assert Distribution.objects.get(pk=typed_by_hand.pk).help_request_id is None
    assert Distribution.objects.get(pk=post.pk).recipient == "volunteers"
    reasons = set(Movement.objects.values_list("reason", flat=True))
    assert reasons == {"住户"}
    request = HelpRequest.objects.get(pk=request.pk)
    assert request.need == "" and request.contact_phone == "" and request.building == ""
    assert {f.name for f in Distribution._meta.fields}.isdisjoint({"building", "compound"})
