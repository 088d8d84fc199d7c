"""A year of the stock ledger: donors' deliveries into the warehouse, transfers to the
community stores, hand-outs, stock-take adjustments and discards, each movement with its
source document (receipt, distribution) where its kind has one.

The year is simulated in memory in time order, never moving more than is on hand, and the
Balance rows are written once at the end from the same running totals, so every balance equals
the sum of its movements (donations.services.check_balances) and no database constraint can
fail. Nothing is reserved: the year's allocations have all been dispatched and received.
"""

import random
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from portal.models import Community, Post
from portal.validators import uscc_check_char

from . import SEED, historical_times

FLUSH = 5000
SERIAL_PREFIX = "YJZ"  # receipts of the year: YJZ0000001 ... (the live series is JZ2026...)
REASONS_ADJUST = ["月度盘点差异", "清点复核", "包装破损后重新计数"]
REASONS_DISCARD = ["过期报废", "运输中破损", "受潮无法使用"]


def load(sizes):
    from donations.models import Item, Location, Receipt
    from donations.services.ledger import community_store

    if Receipt.objects.filter(serial=f"{SERIAL_PREFIX}{1:07d}").exists():
        return "already there"
    items = list(Item.objects.filter(active=True).order_by("pk"))
    if not items:
        return "no items (run the normal demo data first)"
    rng = random.Random(SEED + 3)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 3)
    warehouse, _created = Location.objects.get_or_create(
        name="卢沟桥街道物资仓库", defaults={"kind": Location.Kind.WAREHOUSE}
    )
    stores = [community_store(c) for c in Community.objects.order_by("pk")]
    posts = defaultdict(list)
    for post in Post.objects.select_related("compound").order_by("pk"):
        posts[post.compound.community_id].append(post)
    staff = get_user_model().objects.filter(username="warehouse").first()
    ledger = _Ledger(sizes, rng, fake, items, warehouse, stores, posts, staff)
    ledger.donors = _donors(max(3, sizes.movements // 2500), rng, fake)
    ledger.run()
    return f"{sizes.movements} movements, {ledger.receipts} receipts, {ledger.balances} balances"


def _donors(count, rng, fake):
    from donations.models import Donor

    donors = []
    with historical_times(Donor._meta.get_field("created_at")):
        for n in range(count):
            firm = n % 10 < 7
            first17 = f"91110106{700000000 + n:09d}"
            donors.append(
                Donor(
                    kind="firm" if firm else "person",
                    name=fake.company() if firm else fake.name(),
                    credit_code=first17 + uscc_check_char(first17) if firm else "",
                    contact_name=fake.name(),
                    contact_phone=f"136{rng.randrange(10**8):08d}",
                    address=fake.street_address(),
                    public_name_consent=firm and rng.random() < 0.8,
                    verified=True,
                    verified_at=timezone.now() - timedelta(days=370),
                    created_at=timezone.now() - timedelta(days=371),
                )
            )
        Donor.objects.bulk_create(donors)
    return donors


class _Ledger:
    def __init__(self, sizes, rng, fake, items, warehouse, stores, posts, staff):
        self.sizes, self.rng, self.fake = sizes, rng, fake
        self.items, self.warehouse, self.stores, self.posts = items, warehouse, stores, posts
        self.staff = staff
        # Unsaved lots cannot be dict keys: a lot is known by its place in `self.lots`.
        self.lots = []
        self.on_hand = {}  # (lot number, location) -> units
        self.at_warehouse = []  # lot numbers with units at the warehouse
        self.in_stores = []  # (lot number, store) with units
        self.receipts = self.balances = 0
        self.pending = defaultdict(list)  # model name -> unsaved objects, in creation order

    def run(self):
        from donations.models import Lot, Pledge

        end = timezone.now() - timedelta(hours=1)
        start = end - timedelta(days=7 * self.sizes.weeks)
        step = (end - start) / self.sizes.movements
        with historical_times(
            Pledge._meta.get_field("created_at"), Lot._meta.get_field("created_at")
        ):
            for n in range(self.sizes.movements):
                at = start + step * n
                roll = self.rng.random()
                if not self.at_warehouse or roll < 0.1:
                    self.receive(at)
                elif roll < 0.4 or not self.in_stores:
                    self.transfer(at)
                elif roll < 0.93:
                    self.distribute(at)
                else:
                    self.correct(at)
                if (n + 1) % FLUSH == 0:
                    self.flush()
            self.flush()
        self.write_balances()

    # --- the events -------------------------------------------------------------------------
    def move(self, kind, lot, quantity, at, source=None, target=None, **extra):
        from donations.models import Movement

        if source is not None:
            self.on_hand[lot._n, source] -= quantity
        if target is not None:
            key = (lot._n, target)
            if key not in self.on_hand:
                self.on_hand[key] = 0
                if target.kind == "community":
                    self.in_stores.append(key)
            self.on_hand[key] += quantity
        self.pending["movement"].append(
            Movement(
                kind=kind,
                item=lot.item,
                lot=lot,
                quantity=quantity,
                from_location=source,
                to_location=target,
                created_by=self.staff,
                created_at=at,
                **extra,
            )
        )

    def receive(self, at):
        from donations.models import Lot, Pledge, PledgeLine, Receipt, ReceivingLine

        donor = self.rng.choice(self.donors)
        item = self.rng.choice(self.items)
        quantity = self.rng.randint(5, 50) * 100
        rejected = self.rng.choice([0] * 9 + [self.rng.randint(1, 50)])
        expiry = (at + timedelta(days=self.rng.randint(180, 900))).date()
        pledge = Pledge(
            donor=donor, status="received", created_by=self.staff, created_at=at - timedelta(days=2)
        )
        line = PledgeLine(
            pledge=pledge, item=item, quantity=quantity + rejected, lot_number="", expiry=expiry
        )
        self.receipts += 1
        receipt = Receipt(
            serial=f"{SERIAL_PREFIX}{self.receipts:07d}",
            pledge=pledge,
            location=self.warehouse,
            received_by=self.staff,
            received_at=at,
        )
        lot = Lot(
            item=item,
            donor=donor,
            pledge_line=line,
            lot_number=f"Y{at:%y%m%d}{self.receipts:05d}",
            expiry=expiry if item.tracks_expiry else None,
            created_at=at,
        )
        accepted = ReceivingLine(
            receipt=receipt,
            pledge_line=line,
            accepted=quantity,
            rejected=rejected,
            rejection_reason="外包装破损" if rejected else "",
            lot=lot,
        )
        for name, obj in [
            ("pledge", pledge),
            ("pledgeline", line),
            ("receipt", receipt),
            ("lot", lot),
            ("receivingline", accepted),
        ]:
            self.pending[name].append(obj)
        lot._n = len(self.lots)
        self.lots.append(lot)
        self.at_warehouse.append(lot._n)
        self.move("receive", lot, quantity, at, target=self.warehouse, receipt=receipt)

    def _pick(self, pool, location_of):
        """A random entry of `pool` that still has units (emptied ones leave the pool)."""
        while pool:
            index = self.rng.randrange(len(pool))
            entry = pool[index]
            units = self.on_hand[location_of(entry)]
            if units > 0:
                return entry, units
            pool[index] = pool[-1]
            pool.pop()
        return None, 0

    def transfer(self, at):
        number, units = self._pick(self.at_warehouse, lambda n: (n, self.warehouse))
        if number is None:
            return self.receive(at)
        lot = self.lots[number]
        store = self.rng.choice(self.stores)
        quantity = min(units, self.rng.randint(1, 10) * 50)
        self.move(
            "transfer",
            lot,
            quantity,
            at,
            source=self.warehouse,
            target=store,
            community_id=store.community_id,
            reason="按社区申请调拨",
        )

    def distribute(self, at):
        from donations.models import Distribution, DistributionLine

        entry, units = self._pick(self.in_stores, lambda key: key)
        if entry is None:
            return self.transfer(at)
        lot, store = self.lots[entry[0]], entry[1]
        quantity = min(units, self.rng.randint(5, 60))
        options = self.posts.get(store.community_id)
        to_post = bool(options) and self.rng.random() < 0.6
        distribution = Distribution(
            community_id=store.community_id,
            location=store,
            recipient="post" if to_post else "volunteers",
            post=self.rng.choice(options) if to_post else None,
            distributed_by=self.staff,
            distributed_at=at,
        )
        self.pending["distribution"].append(distribution)
        self.pending["distributionline"].append(
            DistributionLine(distribution=distribution, lot=lot, quantity=quantity)
        )
        self.move(
            "distribute",
            lot,
            quantity,
            at,
            source=store,
            community_id=store.community_id,
            distribution=distribution,
        )

    def correct(self, at):
        entry, units = self._pick(self.in_stores, lambda key: key)
        if entry is None:
            return self.receive(at)
        lot, store = self.lots[entry[0]], entry[1]
        if self.rng.random() < 0.5:
            found = self.rng.randint(1, 20)
            reason = self.rng.choice(REASONS_ADJUST)
            self.move("adjust", lot, found, at, target=store, reason=reason, community_id=None)
        else:
            gone = min(units, self.rng.randint(1, 30))
            reason = self.rng.choice(REASONS_DISCARD)
            self.move("discard", lot, gone, at, source=store, reason=reason)
        movement = self.pending["movement"][-1]
        movement.community_id = store.community_id

    # --- writing ------------------------------------------------------------------------------
    def flush(self):
        from donations import models

        order = [
            ("pledge", models.Pledge),
            ("pledgeline", models.PledgeLine),
            ("receipt", models.Receipt),
            ("lot", models.Lot),
            ("receivingline", models.ReceivingLine),
            ("distribution", models.Distribution),
            ("distributionline", models.DistributionLine),
            ("movement", models.Movement),
        ]
        for name, model in order:
            objs = self.pending.pop(name, [])
            if objs:
                model.objects.bulk_create(objs, batch_size=1000)

    def write_balances(self):
        from donations.models import Balance

        rows = [
            Balance(
                item_id=self.lots[n].item_id,
                lot=self.lots[n],
                location=location,
                quantity=units,
                reserved=0,
            )
            for (n, location), units in self.on_hand.items()
        ]
        Balance.objects.bulk_create(rows, batch_size=1000)
        self.balances = len(rows)
        # The ledger's weekly totals the board reads, from the movements just written.
        from donations.services import flows

        flows.rebuild()
