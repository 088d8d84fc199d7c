"""Demo help requests in 民岳家园社区 so the coordinator's queue and dashboard show something:
an urgent request for milk powder last night, handed out from donated stock and delivered by
a volunteer, and an open request for medicine and vegetables. Idempotent: runs once."""

from datetime import timedelta

from django.utils import timezone

from portal.models import Community, User

from . import services
from .models import HelpRequest

PHONE = "13900000101"


def load(home=None, stdout=None):
    if HelpRequest.objects.filter(contact_phone=PHONE).exists():
        return
    community = Community.objects.filter(slug="minyue-jiayuan").first()
    coordinator = User.objects.filter(username="coordinator").first()
    if community is None or coordinator is None:
        return
    compounds = list(community.compounds.order_by("name"))
    if not compounds:
        return
    from donations.models import Item
    from volunteers.models import VolunteerProfile

    milk = Item.objects.filter(name="婴幼儿配方奶粉").first()
    now = timezone.now()
    last_night = timezone.localtime(now - timedelta(days=1)).replace(
        hour=23, minute=40, second=0, microsecond=0
    )

    urgent = services.record_request(
        community=community,
        compound=compounds[0],
        building="2号楼4单元302",
        contact_name="刘女士",
        contact_phone=PHONE,
        lines=[(milk, 1)] if milk else [],
        need="宝宝的奶粉吃完了，居家隔离无法外出",
        urgency=HelpRequest.Urgency.URGENT,
        by=coordinator,
    )
    HelpRequest.objects.filter(pk=urgent.pk).update(created_at=last_night)
    if milk:
        try:
            services.fulfil_from_stock(urgent, by=coordinator)
        except services.AssistanceError:
            pass  # no stock left in the demo store: delivered by the volunteer alone
    volunteer = (
        VolunteerProfile.objects.filter(
            community=community, status=VolunteerProfile.Status.VERIFIED
        )
        .order_by("pk")
        .first()
    )
    if volunteer is not None:
        try:
            services.assign_volunteer(urgent, volunteer, by=coordinator)
            services.mark_delivered(urgent, by=coordinator)
        except (services.AssistanceError, services.ValidationError):
            pass
        HelpRequest.objects.filter(pk=urgent.pk, status=HelpRequest.Status.DELIVERED).update(
            assigned_at=last_night + timedelta(minutes=12),
            delivered_at=last_night + timedelta(minutes=55),
        )

    services.record_request(
        community=community,
        compound=compounds[-1],
        building="6号楼1单元501",
        contact_name="张大爷",
        contact_phone="13900000102",
        need="独居老人，需要降压药（硝苯地平缓释片）一盒和一周的蔬菜",
        urgency=HelpRequest.Urgency.NORMAL,
        by=coordinator,
    )
    if stdout is not None:
        stdout.write("居民求助演示数据已就绪 / Help-request demo data ready.")
