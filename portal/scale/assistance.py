"""A year of households' help requests: most delivered and closed (and, past retention,
anonymised as the retention job would have left them), the last days' still new or assigned."""

import random
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from faker import Faker

from portal.models import Community

from . import SEED, historical_times
from .people import USERNAME_PREFIX

MARKER = "scale:help-requests"  # a SerialCounter row: the year's requests are in
NEEDS = [
    "家中老人需要降压药（硝苯地平）",
    "需要代买蔬菜和鸡蛋",
    "孩子奶粉快吃完了",
    "需要去医院透析，请协助安排车辆",
    "独居老人，需要有人帮忙取快递",
    "家里消毒液用完了",
    "需要退烧药和体温计",
]


def load(sizes):
    from assistance.models import HelpRequest, HelpRequestLine
    from donations.models import Item, SerialCounter
    from volunteers.models import VolunteerProfile

    if SerialCounter.objects.filter(name=MARKER).exists():
        return "already there"
    rng = random.Random(SEED + 4)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 4)
    communities = list(Community.objects.prefetch_related("compounds").order_by("pk"))
    compounds = {c.pk: list(c.compounds.all()) for c in communities}
    communities = [c for c in communities if compounds[c.pk]]
    items = list(Item.objects.filter(active=True).order_by("pk"))
    volunteers = defaultdict(list)
    for pk, community_id in VolunteerProfile.objects.filter(
        user__username__startswith=USERNAME_PREFIX, status="verified"
    ).values_list("pk", "community_id"):
        volunteers[community_id].append(pk)
    now = timezone.now()
    span = timedelta(days=7 * sizes.weeks)
    retention = timedelta(days=settings.ASSISTANCE_RETENTION_DAYS)
    requests, lines = [], []
    for n in range(sizes.help_requests):
        created = now - span + span * (n + 0.5) / sizes.help_requests
        community = rng.choice(communities)
        request = HelpRequest(
            community=community,
            compound=rng.choice(compounds[community.pk]),
            building=f"{rng.randint(1, 30)}号楼{rng.randint(1, 6)}单元{rng.randint(1, 25)}0{rng.randint(1, 4)}",
            contact_name=fake.name(),
            contact_phone=f"137{rng.randrange(10**8):08d}",
            need=rng.choice(NEEDS),
            urgency="urgent" if rng.random() < 0.15 else "normal",
            created_at=created,
        )
        _progress(request, now - created, volunteers.get(community.pk), rng)
        if request.closed_at and now - request.closed_at > retention:
            request.anonymised_at = request.closed_at + retention
            request.building = request.contact_name = request.contact_phone = request.need = ""
        requests.append(request)
        if items and rng.random() < 0.6:
            for item in rng.sample(items, min(len(items), rng.randint(1, 2))):
                lines.append(
                    HelpRequestLine(request=request, item=item, quantity=rng.randint(1, 5))
                )
    with historical_times(HelpRequest._meta.get_field("created_at")):
        HelpRequest.objects.bulk_create(requests, batch_size=1000)
    HelpRequestLine.objects.bulk_create(lines, batch_size=1000)
    SerialCounter.objects.create(name=MARKER, value=len(requests))
    return f"{len(requests)} help requests"


def _progress(request, age, volunteers, rng):
    """Move the request along as far as its age says: new, assigned, delivered, closed."""
    if not volunteers or age < timedelta(hours=rng.randint(1, 12)):
        return
    request.status = "assigned"
    request.assigned_volunteer_id = rng.choice(volunteers)
    request.assigned_at = request.created_at + timedelta(minutes=rng.randint(5, 120))
    if age < timedelta(days=1):
        return
    request.status = "delivered"
    request.delivered_at = request.assigned_at + timedelta(hours=rng.randint(1, 8))
    if age < timedelta(days=3):
        return
    request.status = "closed"
    request.closed_at = request.delivered_at + timedelta(days=1)
