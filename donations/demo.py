"""Demo data for donations (journeys 3 and 4): the catalogue, the warehouse and community
stores, the donors named in public reporting with their pledges, receipts, requests,
allocations, dispatches, a receipt with a discrepancy, and distributions (to households:
assistance.demo, journey 6, through help requests), all through the
real services, spread over the last weeks. Idempotent: it runs once, then finds its marker."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from faker import Faker

from donations import services
from donations.models import (
    Donor,
    DonorRepresentative,
    Item,
    Location,
    Need,
    Pledge,
    SupplyRequest,
)
from portal.models import Community, Post
from portal.validators import uscc_check_char

BUS = "北京公共交通控股(集团)有限公司"
YIWEN = "依文集团"
ZHONGDU = "中都投资集团有限公司"
DONGDAQIAO = "东大桥卫生服务站"

ITEMS = [
    # name, category, unit, specification, tracks expiry
    ("医用外科口罩", "masks", "只", "一次性使用，YY 0469", True),
    ("N95口罩", "masks", "只", "GB 19083", True),
    ("84消毒液", "disinfectant", "瓶", "500ml", True),
    ("免洗洗手液", "disinfectant", "瓶", "500ml", True),
    ("护目镜", "protective", "副", "防雾", False),
    ("医用手套", "protective", "双", "一次性乳胶，M号", True),
    ("感冒清热颗粒", "medicine", "盒", "12g×10袋", True),
    ("婴幼儿配方奶粉", "food", "罐", "1段 800g", True),
]


def _code(seed, prefix="91110000"):
    """An invented unified social credit code with a correct check character."""
    first17 = f"{prefix}{seed:09d}"[:17]
    return first17 + uscc_check_char(first17)


DONORS = [
    # name, kind, code, contact phone, address, named on the board
    (BUS, "firm", _code(101100001), "13910010001", "北京市丰台区莲花池西里", True),
    (YIWEN, "firm", _code(102200002), "13910010002", "北京市朝阳区", True),
    (ZHONGDU, "firm", _code(103300003), "13910010003", "北京市丰台区", False),
    (DONGDAQIAO, "firm", _code(104400004, "12110000"), "13910010004", "北京市朝阳区东大桥", True),
]


def _ago(days, hour=10):
    moment = timezone.localtime() - datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def _in_days(days):
    return timezone.localdate() + datetime.timedelta(days=days)


def load(home=None, stdout=None):
    User = get_user_model()
    items = {}
    for name, category, unit, spec, expiry in ITEMS:
        items[name], _ = Item.objects.get_or_create(
            name=name,
            defaults={
                "category": category,
                "unit": unit,
                "specification": spec,
                "tracks_expiry": expiry,
                "tracks_lots": True,
            },
        )
    warehouse, _ = Location.objects.get_or_create(
        name="卢沟桥街道物资仓库", defaults={"kind": Location.Kind.WAREHOUSE}
    )
    fake = Faker("zh_CN")
    fake.seed_instance(2020)
    donors = {}
    for name, kind, code, phone, address, consent in DONORS:
        donors[name], _ = Donor.objects.get_or_create(
            name=name,
            defaults={
                "kind": kind,
                "credit_code": code,
                "contact_name": fake.name(),
                "contact_phone": phone,
                "address": address,
                "public_name_consent": consent,
                "verified": True,
                "verified_at": _ago(30),
            },
        )
    person, _ = Donor.objects.get_or_create(
        name=fake.name(),
        kind="person",
        defaults={"contact_name": "同上", "contact_phone": "13910010005", "verified": True},
    )
    rep = User.objects.filter(username="donor").first()
    if rep:
        DonorRepresentative.objects.get_or_create(user=rep, donor=donors[BUS])
    if Pledge.objects.filter(donor=donors[BUS]).exists():
        _needs(items, donors, warehouse)  # a database loaded before needs existed gets them
        return  # the flows below ran before
    keeper = User.objects.filter(username="warehouse").first()
    coordinator = User.objects.filter(username="coordinator").first()
    minyue = Community.objects.get(slug="minyue-jiayuan")
    weiyuan = Community.objects.get(slug="weiyuan")
    baoli = Community.objects.get(slug="baoli-yifeng")

    def received(donor, lines, days, rejects=None, pending=False):
        pledge = services.pledge(
            donor,
            [
                {"item": items[item], "quantity": qty, "lot_number": lot, "expiry": expiry}
                for item, qty, lot, expiry in lines
            ],
            user=keeper,
            expected_date=_ago(days + 1).date(),
        )
        # registered a few days before the goods arrived, as in life (not "today", after them)
        Pledge.objects.filter(pk=pledge.pk).update(created_at=_ago(days + 3, 16))
        if pending:
            return pledge, None
        rejects = rejects or {}
        rows = []
        for line in pledge.lines.order_by("pk"):
            rejected, reason = rejects.get(line.item.name, (0, ""))
            rows.append(
                {
                    "pledge_line": line,
                    "accepted": line.quantity - rejected,
                    "rejected": rejected,
                    "reason": reason,
                }
            )
        return pledge, services.receive(
            pledge, warehouse, rows, user=keeper, received_at=_ago(days)
        )

    # Journey 3: 5,000 masks (200 not medical grade) and 200 bottles of 84 disinfectant.
    received(
        donors[BUS],
        [
            ("医用外科口罩", 5000, "GJ20260301", _in_days(150)),
            ("84消毒液", 200, "84-2603", _in_days(500)),
        ],
        40,
        rejects={"医用外科口罩": (200, "非医用级，不符合YY 0469标准")},
    )
    received(
        donors[YIWEN],
        [("医用外科口罩", 3000, "YW-0215", _in_days(400)), ("护目镜", 500, "", None)],
        33,
    )
    received(
        donors[ZHONGDU],
        [("N95口罩", 2000, "ZD-N95-01", _in_days(600)), ("护目镜", 300, "", None)],
        26,
    )
    received(donors[DONGDAQIAO], [("84消毒液", 300, "DDQ-84-02", _in_days(300))], 19)
    received(
        person,
        [
            ("婴幼儿配方奶粉", 6, "NF2026", _in_days(240)),
            ("感冒清热颗粒", 50, "GM-11", _in_days(365)),
        ],
        12,
    )
    # A pledge still on its way.
    received(donors[BUS], [("免洗洗手液", 400, "XS-0410", _in_days(700))], 0, pending=True)

    def supply(community, lines, purpose, urgency, days, broken=None, user=None):
        request = services.request_supplies(
            community,
            [(items[n], q) for n, q in lines],
            purpose=purpose,
            urgency=urgency,
            user=user or keeper,
        )
        SupplyRequest.objects.filter(pk=request.pk).update(created_at=_ago(days + 1, 17))
        allocations = []
        for line in request.lines.order_by("pk"):
            allocations += services.allocate(line, user=keeper, at=_ago(days, 9))
        note = services.dispatch(allocations, user=keeper, dispatched_at=_ago(days, 11))
        broken = broken or {}
        confirm = {
            a.pk: (a.quantity - broken[a.lot.item.name][0], broken[a.lot.item.name][1])
            for a in note.allocations.select_related("lot__item")
            if a.lot.item.name in broken
        }
        services.confirm_receipt(note, confirm, user=user or keeper, received_at=_ago(days, 15))
        return note

    # Journey 4: 民岳家园社区 asks for masks and disinfectant for the gate volunteers.
    note = supply(
        minyue,
        [("医用外科口罩", 1000), ("84消毒液", 50)],
        "卡口值守志愿者防护",
        "urgent",
        30,
        broken={"84消毒液": (2, "运输途中破损2瓶")},
        user=coordinator,
    )
    supply(weiyuan, [("医用外科口罩", 800), ("护目镜", 60)], "测温点位", "normal", 24)
    supply(
        minyue,
        [("N95口罩", 300), ("婴幼儿配方奶粉", 2)],
        "居家隔离户保障",
        "critical",
        10,
        user=coordinator,
    )
    # An open request the warehouse has not allocated yet.
    services.request_supplies(
        baoli,
        [(items["护目镜"], 100), (items["医用手套"], 500)],
        purpose="楼门消杀",
        urgency="normal",
        user=keeper,
    )

    store = note.to_location
    north_gate = Post.objects.filter(compound__community=minyue, name="北门").first()
    services.distribute(
        minyue,
        store,
        [(items["医用外科口罩"], 400), (items["84消毒液"], 20)],
        recipient="post",
        post=north_gate,
        user=coordinator,
        distributed_at=_ago(28, 8),
    )
    services.distribute(
        minyue,
        store,
        [(items["医用外科口罩"], 300)],
        recipient="volunteers",
        user=coordinator,
        distributed_at=_ago(21, 8),
    )
    # Households get theirs through help requests (assistance.demo): a distribution to a
    # household points at its request and never carries an address.
    weiyuan_store = Location.objects.get(kind=Location.Kind.COMMUNITY, community=weiyuan)
    services.distribute(
        weiyuan,
        weiyuan_store,
        [(items["医用外科口罩"], 500), (items["护目镜"], 40)],
        recipient="volunteers",
        user=keeper,
        distributed_at=_ago(20, 9),
    )
    _needs(items, donors, warehouse)
    if stdout:
        stdout.write("捐赠演示数据已就绪 / Donations demo data ready.")


def _needs(items, donors, warehouse):
    """The public needs page (issue 15.3): needs in every state, some pledged and received
    against, one met, through the services. Runs once (finds its needs)."""
    User = get_user_model()
    admin = User.objects.filter(username="admin").first()
    coordinator = User.objects.filter(username="coordinator").first()
    keeper = User.objects.filter(username="warehouse").first()
    if admin is None or Need.objects.exists():
        return
    minyue = Community.objects.get(slug="minyue-jiayuan")
    weiyuan = Community.objects.get(slug="weiyuan")
    baoli = Community.objects.get(slug="baoli-yifeng")

    def need(community, item, quantity, urgency, days, purpose, by=None, state="approved"):
        made = services.create_need(
            by or admin,
            community=community,
            item=items[item],
            quantity=quantity,
            urgency=urgency,
            needed_by=_in_days(days),
            purpose=purpose,
        )
        if state != "draft":
            made = services.submit_need(made, by or admin)
        if state == "approved":
            made = services.approve_need(made, admin)
        return made

    n95 = need(minyue, "N95口罩", 1000, Need.Urgency.CRITICAL, 3, "卡口值守与入户核酸", coordinator)
    bottles = need(weiyuan, "84消毒液", 200, Need.Urgency.URGENT, 7, "楼道每日两次消杀")
    need(baoli, "医用手套", 500, Need.Urgency.NORMAL, 14, "楼门消杀")
    sanitizer = need(None, "免洗洗手液", 120, Need.Urgency.URGENT, 5, "街道各卡口")
    need(
        minyue,
        "婴幼儿配方奶粉",
        10,
        Need.Urgency.URGENT,
        4,
        "居家隔离家庭",
        coordinator,
        "submitted",
    )
    need(weiyuan, "护目镜", 50, Need.Urgency.NORMAL, 10, "测温点位", state="draft")

    def give(donor, for_need, quantity, accepted=0):
        pledge = services.pledge(
            donor,
            [{"item": for_need.item, "quantity": quantity, "expiry": _in_days(400)}],
            user=keeper,
            need=for_need,
        )
        if accepted:
            line = pledge.lines.get()
            services.receive(
                pledge, warehouse, [{"pledge_line": line, "accepted": accepted}], user=keeper
            )

    give(donors[BUS], n95, 600, accepted=400)
    give(donors[YIWEN], bottles, 100)
    give(donors[DONGDAQIAO], sanitizer, 120, accepted=120)
