"""What the donations benchmarks start from (bench/harness.py has the rest)."""


def base_data(lots=4, per_lot=10_000):
    """A warehouse, one item, a verified donor and `lots` received lots of `per_lot` units."""
    import datetime

    from django.utils import timezone

    from donations import services
    from donations.models import Donor, Item, Location
    from portal import roles
    from portal.models import Subdistrict, User
    from portal.roles import sync_roles
    from portal.validators import uscc_check_char

    sync_roles()
    keeper = User.objects.create(username="bench-keeper", phone="13800009999")
    from django.contrib.auth.models import Group

    keeper.groups.add(Group.objects.get(name=roles.WAREHOUSE))
    Subdistrict.objects.get_or_create(name="基准街道")
    item = Item.objects.create(name="医用外科口罩", category="masks", unit="只")
    warehouse = Location.objects.create(name="基准物资库", kind=Location.Kind.WAREHOUSE)
    code = "91110000123456700"
    donor = Donor.objects.create(
        name="北京公共交通控股(集团)有限公司",
        kind="firm",
        credit_code=code[:17] + uscc_check_char(code[:17]),
        contact_name="王女士",
        contact_phone="13700000000",
        verified=True,
    )
    today = timezone.localdate()
    pledge = services.pledge(
        donor,
        [
            {
                "item": item,
                "quantity": per_lot,
                "lot_number": f"B{i}",
                "expiry": today + datetime.timedelta(days=100 + i),
            }
            for i in range(lots)
        ],
        user=keeper,
    )
    services.receive(
        pledge,
        warehouse,
        [{"pledge_line": line, "accepted": line.quantity} for line in pledge.lines.all()],
        user=keeper,
    )
    return {
        "keeper": keeper,
        "item": item,
        "warehouse": warehouse,
        "donor": donor,
        "pledge": pledge,
    }
