"""The year's notices and stories, added to the Wagtail page tree in bulk.

Adding pages one by one (`add_child` + publish) costs a dozen queries each. Here each page's
treebeard path is computed from its parent's last child (the same steps `add_child` takes),
the Page rows go in with one insert per batch and the specific rows (NoticePage, StoryPage)
with another, then each parent's `numchild` grows by what it got. The pages are live, with
`url_path`, `search_text` and `community` set as a save would set them; they have no
revisions (like pages loaded from a fixture), and the search index is rebuilt by the command
afterwards (`update_index`). `portal.scale.check` runs treebeard's `find_problems`.
"""

import random
from collections import defaultdict
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F
from django.utils import timezone
from faker import Faker

from . import SEED

BATCH = 200
SLUG_PREFIX = "y-"
TOPICS = [
    "核酸检测安排",
    "小区出入管理",
    "返京人员登记",
    "疫苗接种预约",
    "物资发放",
    "垃圾分类与消杀",
    "志愿者招募",
    "居家隔离服务",
    "快递收取",
    "老年人就医协助",
]
STORY_TOPICS = [
    "凌晨四点的卡口",
    "楼道里的消毒水味",
    "一车蔬菜送到隔离户门口",
    "爱心企业捐来的口罩",
    "社区里的年轻志愿者",
    "为独居老人买药",
    "雪夜值守",
]


def load(sizes):
    from content.models import (
        CommunitySectionPage,
        NoticeIndexPage,
        NoticePage,
        StoryIndexPage,
        StoryPage,
    )

    if NoticePage.objects.filter(slug__startswith=SLUG_PREFIX).exists():
        return "already there"
    notice_index = NoticeIndexPage.objects.first()
    story_index = StoryIndexPage.objects.first()
    sections = list(CommunitySectionPage.objects.select_related("community").order_by("path"))
    if notice_index is None or story_index is None:
        return "no index pages (run the normal demo data first)"
    rng = random.Random(SEED + 2)
    fake = Faker("zh_CN")
    fake.seed_instance(SEED + 2)
    today = timezone.localdate()
    days = 7 * sizes.weeks
    notices = max(1, round(sizes.pages * 0.6))
    communities = [s.community for s in sections]
    placed = defaultdict(list)  # (parent, page type) -> pages
    for n in range(1, sizes.pages + 1):
        day = today - timedelta(days=round((sizes.pages - n) * days / sizes.pages))
        section = rng.choice(sections) if sections and rng.random() < 0.5 else None
        if n <= notices:
            page = _notice(NoticePage, n, day, section, rng)
            parent = section or notice_index
            if section is None and communities and rng.random() < 0.3:
                page._targets = rng.sample(communities, min(len(communities), rng.randint(1, 3)))
        else:
            page = _story(StoryPage, n, day, section, fake, rng)
            parent = section or story_index
        placed[parent, type(page)].append(page)
    for (parent, _model), pages in placed.items():
        _add_children(parent, pages)
    through = NoticePage.target_communities.through
    through.objects.bulk_create(
        [
            through(noticepage_id=page.pk, community_id=community.pk)
            for pages in placed.values()
            for page in pages
            for community in getattr(page, "_targets", [])
        ],
        batch_size=1000,
    )
    from content.cache import bump_content_version

    bump_content_version()
    return f"{notices} notices, {sizes.pages - notices} stories"


def _moment(day, hour):
    return timezone.make_aware(datetime.combine(day, time(hour)), timezone.get_current_timezone())


def _notice(model, n, day, section, rng):
    who = section.community.name if section else "卢沟桥街道"
    topic = TOPICS[n % len(TOPICS)]
    published = _moment(day, 9)
    lasting = rng.choice([None, 7, 14, 30])
    return model(
        title=f"{who}关于{topic}的通知（第{n}号）",
        slug=f"{SLUG_PREFIX}notice-{n:05d}",
        date=day,
        urgent=rng.random() < 0.05,
        valid_from=published,
        valid_until=published + timedelta(days=lasting) if lasting else None,
        summary=f"{who}{topic}的最新安排，请居民朋友们知悉并相互转告。",
        body=_paragraphs(
            f"各位居民：根据防控工作要求，现将{topic}有关事项通知如下。",
            "请大家佩戴口罩、保持距离，配合社区工作人员和志愿者的工作。",
            f"如有疑问，请拨打{who}值班电话咨询。",
        ),
        first_published_at=published,
        last_published_at=published,
        community=section.community if section else None,
    )


def _story(model, n, day, section, fake, rng):
    topic = STORY_TOPICS[n % len(STORY_TOPICS)]
    name = fake.name()
    published = _moment(day, 18)
    return model(
        title=f"{topic}（{n}）",
        slug=f"{SLUG_PREFIX}story-{n:05d}",
        date=day,
        summary=f"志愿者{name}和邻居们的一天。",
        body=_paragraphs(
            f"{topic}：这是{name}做志愿者的第{rng.randint(2, 300)}天。",
            "天还没亮，卡口的灯已经亮了。测温、登记、提醒戴好口罩，一遍又一遍。",
            "谢谢每一位守护社区的人。",
        ),
        first_published_at=published,
        last_published_at=published,
        community=section.community if section else None,
    )


def _paragraphs(*texts):
    return [{"type": "paragraph_block", "value": f"<p>{text}</p>"} for text in texts]


def _add_children(parent, pages):
    """Append `pages` (unsaved, all of one specific type) as the last children of `parent`."""
    from wagtail.models import Page

    last = parent.get_last_child()
    position = last._get_lastpos_in_path() + 1 if last else 1
    model = type(pages[0])
    content_type = ContentType.objects.get_for_model(model)
    for offset, page in enumerate(pages):
        page.path = Page._get_path(parent.path, parent.depth + 1, position + offset)
        page.depth = parent.depth + 1
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.content_type = content_type
        page.locale_id = parent.locale_id
        page.draft_title = page.title
        page.live = True
        page.has_unpublished_changes = False
        page.search_text = page.build_search_text()
    base_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    own_fields = model._meta.local_concrete_fields
    for start in range(0, len(pages), BATCH):
        batch = pages[start : start + BATCH]
        rows = Page.objects._insert(
            batch, fields=base_fields, returning_fields=[Page._meta.pk], using=connection.alias
        )
        for page, (pk,) in zip(batch, rows, strict=True):
            page.pk = page.page_ptr_id = page.id = pk
            page._state.adding = False
        model.objects._insert(batch, fields=own_fields, using=connection.alias)
    Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(pages))
    parent.numchild += len(pages)
