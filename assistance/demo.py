"""Demo help requests in 民岳家园社区 so the coordinator's queue and dashboard show something:
an urgent request for milk powder last night, handed out from donated stock and delivered by a
volunteer (which closed it), an open request for medicine and vegetables, three households
supplied from the community's store in the last weeks (closed); and three volunteers on call
this week.
Idempotent: runs once (the on-call nights are topped up at every run)."""

from datetime import timedelta

from django.utils import timezone

from portal.models import Community, User

from . import services
from .models import HelpRequest

PHONE = "13900000101"


def load(home=None, stdout=None):
    _on_call_this_week()
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
        HelpRequest.objects.filter(pk=urgent.pk, status=HelpRequest.Status.CLOSED).update(
            assigned_at=last_night + timedelta(minutes=12),
            delivered_at=last_night + timedelta(minutes=55),
            closed_at=last_night + timedelta(minutes=55),
        )

    _past_households(community, compounds, coordinator)

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


def _past_households(community, compounds, coordinator):
    """Three households given masks and 84 disinfectant from the store over the last two
    weeks: requests recorded, handed out (the distribution points at the request), closed."""
    from donations import services as donations
    from donations.models import Item
    from donations.services.ledger import community_store

    items = {i.name: i for i in Item.objects.filter(name__in=["医用外科口罩", "84消毒液"])}
    if len(items) < 2:
        return
    store = community_store(community)
    for index, building in enumerate(["3号楼2单元201", "5号楼1单元602", "7号楼3单元101"]):
        when = timezone.localtime() - timedelta(days=14 - index * 3)
        when = when.replace(hour=19, minute=0, second=0, microsecond=0)
        request = services.record_request(
            community=community,
            compound=compounds[index % len(compounds)],
            building=building,
            contact_phone=f"1390000011{index}",
            lines=[(items["医用外科口罩"], 20), (items["84消毒液"], 2)],
            need="居家隔离，需要口罩和消毒液",
            by=coordinator,
        )
        try:
            donations.distribute(
                community,
                store,
                [(items["医用外科口罩"], 20), (items["84消毒液"], 2)],
                recipient="household",
                help_request=request,
                user=coordinator,
                distributed_at=when,
            )
        except donations.StockError:
            pass  # the demo store ran out: the request stays open for the coordinator
        else:
            HelpRequest.objects.filter(pk=request.pk).update(
                status=HelpRequest.Status.CLOSED,
                created_at=when - timedelta(hours=2),
                delivered_at=when,
                closed_at=when + timedelta(hours=1),
            )


def _on_call_this_week():
    """The demo volunteer (李晓红 of 民岳家园) and two of her neighbours are on call (备勤) tonight
    and the six nights after, whenever the demo is loaded: an urgent request at night finds
    them first. Idempotent."""
    from volunteers.models import VolunteerProfile

    from .models import OnCallNight
    from .on_call import nights_ahead

    community = Community.objects.filter(slug="minyue-jiayuan").first()
    if community is None:
        return
    verified = VolunteerProfile.objects.filter(
        community=community, status=VolunteerProfile.Status.VERIFIED
    )
    profiles = list(verified.filter(user__username="volunteer")) + list(
        verified.exclude(user__username="volunteer").order_by("pk")[:2]
    )
    OnCallNight.objects.bulk_create(
        [OnCallNight(profile=p, night=night) for p in profiles for night in nights_ahead()[:7]],
        ignore_conflicts=True,
    )
