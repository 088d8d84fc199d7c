"""Demo content: the index pages, every community's section and editors' groups, the
moderation workflow, notices, the disinfection and gate-duty courses with quizzes, and
thank-you stories. Idempotent: pages are found by slug under their parent before creating.
"""

import datetime

from django.utils import timezone
from faker import Faker

from content import demo_images, services
from content.models import (
    CommunitySectionPage,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    NoticeIndexPage,
    NoticePage,
    StoryIndexPage,
    StoryPage,
)
from portal.models import Community


def _p(*paragraphs):
    return [{"type": "paragraph_block", "value": f"<p>{text}</p>"} for text in paragraphs]


def _h(text):
    return {"type": "heading_block", "value": {"heading_text": text, "size": "h2"}}


def _question(text, choices, correct, explanation=""):
    return {
        "type": "question",
        "value": {
            "question": text,
            "choices": [
                {"text": choice, "correct": index in correct}
                for index, choice in enumerate(choices)
            ],
            "explanation": explanation,
        },
    }


def child(parent, model, slug, banner=None, **fields):
    """The live child of `parent` with `slug`, created and published when missing; `banner`
    (tagline, palette) gives it a listing image drawn with its title (content.demo_images)."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    if banner is not None:
        fields["listing_image"] = demo_images.banner(fields["title"], *banner)
    targets = fields.pop("target_communities", None)
    page = model(slug=slug, **fields)
    if targets is not None:
        page.target_communities = targets
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def load_indexes(home):
    notices = child(
        home,
        NoticeIndexPage,
        "notices",
        title="通知公告",
        intro="街道和各社区发布的防疫通知。紧急通知置顶显示。",
    )
    courses = child(
        home,
        CourseIndexPage,
        "courses",
        title="防疫课堂",
        intro="志愿者上岗前的培训课程：消杀、卡口值守。学完并通过小测验即可获得课程记录。",
    )
    stories = child(
        home,
        StoryIndexPage,
        "stories",
        title="暖心故事",
        intro="感谢每一位志愿者、每一位居民和每一家爱心企业。",
    )
    return notices, courses, stories


def load_sections(home, stdout=None):
    services.setup_editorial(home)
    sections = {}
    for community in Community.objects.order_by("pk"):
        sections[community.slug] = services.setup_community_section(community, home)
    return sections


def load_notices(index, sections):
    now = timezone.now()
    today = timezone.localdate()
    minyue = Community.objects.filter(slug="minyue-jiayuan").first()
    weiyuan = Community.objects.filter(slug="weiyuan").first()
    child(
        index,
        NoticePage,
        "compound-closed-management",
        banner=("通知公告 · 卢沟桥街道", "notice"),
        title="关于辖区小区实行封闭式管理的紧急通知",
        urgent=True,
        date=today,
        valid_from=now - datetime.timedelta(days=1),
        valid_until=now + datetime.timedelta(days=30),
        summary="即日起，辖区各小区只保留一个出入口，居民凭出入证进出，请配合测温登记。",
        body=[
            _h("出入口开放时间"),
            *_p(
                "即日起，辖区各小区实行封闭式管理，每个小区只保留一个出入口，开放时间为每天 06:00 至 22:00。",
                "22:00 至次日 06:00 如有急事（就医等），请按门卫室门铃，由值守人员登记后放行。",
                "居民凭社区发放的出入证进出，进门时请配合测量体温、出示健康码。快递外卖一律放在小区门口的指定货架，不得进入小区。",
            ),
            {
                "type": "block_quote",
                "value": {"text": "守好家门，就是守护全家。", "attribute_name": "卢沟桥街道"},
            },
        ],
    )
    if minyue and "minyue-jiayuan" in sections:
        child(
            sections["minyue-jiayuan"],
            NoticePage,
            "south-gate-2200",
            banner=("通知公告 · 民岳家园社区", "notice"),
            title="民岳家园南门每晚22:00关闭",
            urgent=True,
            date=today,
            # From tomorrow 22:00, Beijing time: announced today, in force from then.
            valid_from=timezone.make_aware(
                datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(22, 0))
            ),
            summary="自明日起，民岳家园南门每晚22:00关闭，次日06:00开启，夜间请走北门。",
            body=_p(
                "各位居民：为加强夜间值守，自明日起，民岳家园小区南门每晚22:00关闭，次日06:00开启。",
                "夜间出入请走北门，北门24小时有志愿者值守。给您带来的不便，敬请谅解。",
            ),
        )
    targets = [c for c in (minyue, weiyuan) if c]
    child(
        index,
        NoticePage,
        "volunteers-wanted",
        banner=("志愿者招募", "notice"),
        title="民岳家园、蔚园社区招募卡口值守志愿者",
        date=today - datetime.timedelta(days=1),
        target_communities=targets,
        summary="两个社区的卡口每天需要早晚两班志愿者，欢迎身体健康的居民报名。",
        body=_p(
            "民岳家园社区和蔚园社区共有7个出入口，每天分 07:00-12:00 和 12:00-19:00 两个班次，每班2人。",
            "报名前请先学习防疫课堂中的《卡口值守规范》课程。扫描社区张贴的二维码即可报名。",
        ),
    )
    child(
        index,
        NoticePage,
        "returning-residents",
        banner=("通知公告 · 卢沟桥街道", "notice"),
        title="返京人员请主动向社区报备",
        date=today - datetime.timedelta(days=3),
        summary="从外地返京的居民，请在抵京前主动联系所在社区登记，并按要求居家观察。",
        body=_p(
            "从外地返京的居民，请在抵京前通过电话向所在社区报备姓名、住址、行程和返京时间。",
            "返京后请居家观察14天，每日两次测量体温，如有发热、咳嗽等症状，请立即联系社区并到发热门诊就诊。",
        ),
    )


def load_courses(index):
    disinfection = child(
        index,
        CoursePage,
        "disinfection",
        banner=("防疫课堂 · 志愿者培训", "course"),
        title="社区消杀：84消毒液的使用",
        summary="怎样配比84消毒液，楼道、电梯按钮和门把手多久消毒一次，做好个人防护。",
        pass_mark=80,
        intro=_p("参加社区消杀任务的志愿者，请先学完本课程并通过小测验。课程约15分钟。"),
    )
    child(
        disinfection,
        LessonPage,
        "dilution",
        title="84消毒液的配比",
        estimated_minutes=6,
        body=[
            *_p("市面上的84消毒液有效氯含量一般为5%左右（以瓶身说明为准）。"),
            _h("常用配比"),
            *_p(
                "楼道、电梯、门把手等一般物体表面：按 1:100 稀释，即 10 毫升84消毒液加 990 毫升清水，有效氯约 500 毫克/升。",
                "被呕吐物、分泌物污染的表面：按 1:50 稀释（有效氯约 1000 毫克/升）。",
                "擦拭或喷洒后作用30分钟，再用清水擦净，防止腐蚀。",
            ),
            {
                "type": "table_block",
                "value": {
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                    "table_header_choice": "row",
                    "data": [
                        ["用途", "84消毒液", "清水"],
                        ["一般物体表面", "10 毫升", "990 毫升"],
                        ["污染表面", "20 毫升", "980 毫升"],
                    ],
                },
            },
            _h("安全提示"),
            *_p(
                "用冷水配制，现配现用；不要与洁厕灵等酸性清洁剂混用，否则会产生有毒的氯气。",
                "配制和使用时戴手套和口罩，保持通风。",
            ),
        ],
        quiz=[
            _question(
                "一般物体表面消毒，84消毒液与清水的配比是？",
                ["1:10", "1:100", "1:1000"],
                {1},
                "1:100 稀释后有效氯约 500 毫克/升，适合一般物体表面。",
            ),
            _question(
                "84消毒液可以和洁厕灵一起使用吗？",
                ["可以，效果更好", "不可以，会产生有毒气体"],
                {1},
                "84消毒液与酸性清洁剂混合会释放氯气。",
            ),
            _question(
                "配制84消毒液时应注意哪些？",
                ["用冷水配制", "戴手套", "用热水加快溶解", "保持通风"],
                {0, 1, 3},
                "热水会使有效氯分解，降低消毒效果。",
            ),
        ],
    )
    child(
        disinfection,
        LessonPage,
        "lifts-and-handles",
        title="电梯和门把手多久消毒一次",
        estimated_minutes=5,
        body=[
            *_p(
                "电梯按钮、楼门把手、单元门禁、楼梯扶手是人手接触最多的地方，每天至少消毒两次（上午、下午各一次），人员进出多时增加频次。",
                "电梯轿厢、地面和楼道每天至少消毒一次。每次消毒后在公示表上登记时间和消毒人。",
                "电梯按钮可贴保护膜，便于擦拭；擦拭按钮时用抹布蘸取消毒液，不要直接喷洒，以免液体进入电路。",
            ),
        ],
        quiz=[
            _question(
                "电梯按钮和门把手每天至少消毒几次？",
                ["一次", "两次", "一周一次"],
                {1},
                "人手接触频繁的地方每天至少两次，人多时增加。",
            ),
            _question(
                "消毒电梯按钮的正确做法是？", ["直接喷洒消毒液", "用抹布蘸取消毒液擦拭"], {1}
            ),
        ],
    )
    child(
        disinfection,
        LessonPage,
        "protection",
        title="消杀时的个人防护",
        estimated_minutes=4,
        body=_p(
            "消杀作业时佩戴口罩、手套，必要时戴护目镜；作业结束后先摘手套再洗手，按六步洗手法洗手不少于20秒。",
            "用过的抹布、拖把用消毒液浸泡30分钟后清洗晾干。",
        ),
    )
    gate = child(
        index,
        CoursePage,
        "gate-duty",
        banner=("防疫课堂 · 志愿者培训", "course"),
        title="卡口值守规范",
        summary="卡口志愿者上岗前必学：测温登记、出入证查验、礼貌劝导。",
        pass_mark=100,
        intro=_p("卡口是社区防控的第一道防线。上岗前请学完本课程。"),
    )
    child(
        gate,
        LessonPage,
        "temperature",
        title="测体温与登记",
        estimated_minutes=5,
        body=_p(
            "使用额温枪测温时，距离额头3至5厘米；体温达到37.3℃及以上，请对方休息5分钟后复测，仍然偏高的，请联系社区医生，不得放行。",
            "外来人员一律登记姓名、电话、来访事由，并查看健康码。",
        ),
        quiz=[
            _question("体温达到多少需要复测并联系社区医生？", ["37.0℃", "37.3℃", "38.5℃"], {1}),
        ],
    )
    child(
        gate,
        LessonPage,
        "pass-check",
        title="出入证查验与劝导",
        estimated_minutes=4,
        body=_p(
            "居民出示出入证后放行；未带出入证的本小区居民，核对登记信息后放行。",
            "遇到不理解的居民，耐心解释政策，不争吵；发生冲突时请联系社区工作人员。",
        ),
    )


def load_stories(index, sections):
    fake = Faker("zh_CN")
    fake.seed_instance(2020)
    tea_resident = fake.name()
    volunteer = fake.name()
    today = timezone.localdate()
    parent = sections.get("minyue-jiayuan", index)
    child(
        parent,
        StoryPage,
        "bag-of-masks",
        banner=("暖心故事 · 民岳家园社区", "story"),
        title="一袋口罩，没有留下名字",
        date=today - datetime.timedelta(days=2),
        summary="一位年轻小伙把一袋口罩放在社区办公室门口，转身就走了。",
        body=_p(
            "那天上午，一位二十多岁的小伙子拎着一个大塑料袋走进社区办公室，放下就要走。工作人员打开一看，是整整两百只口罩。",
            "问他叫什么名字，他摆摆手说：“你们在门口站岗辛苦了，给志愿者用吧。”说完就走了。",
            "这些口罩已经发到了各个卡口的志愿者手中。谢谢你，不知名的小伙子。",
        ),
        thanked=[
            {
                "type": "party",
                "value": {
                    "kind": "resident",
                    "name": "不愿留名的年轻人",
                    "consent": False,
                    "note": "捐赠口罩200只",
                },
            }
        ],
    )
    child(
        parent,
        StoryPage,
        "hot-tea-in-snow",
        banner=("暖心故事 · 民岳家园社区", "story"),
        title="雪中的一壶热茶",
        date=today - datetime.timedelta(days=1),
        summary="大雪天，住在3号楼的居民给北门值守的志愿者送来了热茶。",
        body=_p(
            "正月的一场大雪，北门卡口的志愿者已经在雪里站了三个小时。",
            f"住在3号楼的{tea_resident}阿姨端着一壶热茶和几个纸杯走了过来：“孩子们，喝口热的，暖暖身子。”",
            f"志愿者{volunteer}说：“那一杯茶，是我这个冬天喝过最暖的。”",
        ),
        thanked=[
            {
                "type": "party",
                "value": {
                    "kind": "resident",
                    "name": tea_resident,
                    "consent": True,
                    "note": "为值守志愿者送热茶",
                },
            },
            {
                "type": "party",
                "value": {
                    "kind": "volunteer",
                    "name": volunteer,
                    "consent": True,
                    "note": "北门卡口值守",
                },
            },
        ],
    )
    child(
        index,
        StoryPage,
        "thank-you-firms",
        banner=("暖心故事 · 卢沟桥街道", "story"),
        title="感谢爱心企业的防疫物资捐赠",
        date=today,
        summary="北京公交集团、依文集团、中都投资集团和东大桥卫生服务站捐赠了口罩、护目镜和84消毒液。",
        body=_p(
            "疫情防控期间，多家企业和单位向卢沟桥街道捐赠防疫物资，物资已全部登记入库，按各社区需求分配到卡口和居家隔离家庭。",
            "每一批物资的去向都可以在物资公示页面查询。感谢你们与社区站在一起。",
        ),
        thanked=[
            {
                "type": "party",
                "value": {
                    "kind": "firm",
                    "name": "北京公共交通控股(集团)有限公司",
                    "consent": True,
                    "note": "口罩、84消毒液",
                },
            },
            {
                "type": "party",
                "value": {
                    "kind": "firm",
                    "name": "依文集团",
                    "consent": True,
                    "note": "口罩、护目镜",
                },
            },
            {
                "type": "party",
                "value": {
                    "kind": "firm",
                    "name": "中都投资集团有限公司",
                    # it asked not to be named on the board (donations.demo): never in public
                    "consent": False,
                    "note": "口罩、护目镜",
                },
            },
            {
                "type": "party",
                "value": {
                    "kind": "firm",
                    "name": "东大桥卫生服务站",
                    "consent": True,
                    "note": "84消毒液",
                },
            },
        ],
    )


def load(home, stdout=None):
    notices, courses, stories = load_indexes(home)
    sections = load_sections(home, stdout)
    load_notices(notices, sections)
    load_courses(courses)
    load_stories(stories, sections)
    if stdout is not None:
        stdout.write(
            f"内容 / Content: {NoticePage.objects.count()} notices, "
            f"{CoursePage.objects.count()} courses, {StoryPage.objects.count()} stories, "
            f"{CommunitySectionPage.objects.count()} community sections."
        )
