"""Demo data for the shell: the subdistrict, its communities, compounds and posts, one account
per role and the Wagtail site. Every function is idempotent (get_or_create on natural keys)."""

from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from portal import roles
from portal.links import sync_site
from portal.models import Community, Compound, Post, StaffMembership, Subdistrict, User

SUBDISTRICT = "卢沟桥街道"

# The seven communities named in public reporting first, then the rest of the 37.
NAMED_COMMUNITIES = [
    ("五里店第二社区", "wulidian-2"),
    ("民岳家园社区", "minyue-jiayuan"),
    ("保利益丰社区", "baoli-yifeng"),
    ("珠江紫台社区", "zhujiang-zitai"),
    ("蔚园社区", "weiyuan"),
    ("春园社区", "chunyuan"),
    ("科兴佳园社区", "kexing-jiayuan"),
]
OTHER_COMMUNITIES = [
    ("五里店第一社区", "wulidian-1"),
    ("六里桥社区", "liuliqiao"),
    ("小屯社区", "xiaotun"),
    ("大井社区", "dajing"),
    ("靛厂社区", "dianchang"),
    ("莲花池社区", "lianhuachi"),
    ("太平桥社区", "taipingqiao"),
    ("青塔社区", "qingta"),
    ("岳各庄社区", "yuegezhuang"),
    ("西府景园社区", "xifu-jingyuan"),
    ("万柳园社区", "wanliuyuan"),
    ("晓月苑社区", "xiaoyueyuan"),
    ("丰益花园社区", "fengyi-huayuan"),
    ("京铁和园社区", "jingtie-heyuan"),
    ("丽泽雅园社区", "lize-yayuan"),
    ("天伦锦城社区", "tianlun-jincheng"),
    ("金家村社区", "jinjiacun"),
    ("郑常庄社区", "zhengchangzhuang"),
    ("马连道社区", "maliandao"),
    ("卢沟新桥社区", "lugou-xinqiao"),
    ("城南嘉园社区", "chengnan-jiayuan"),
    ("建邦枫景社区", "jianbang-fengjing"),
    ("首汇健康城社区", "shouhui"),
    ("万泉寺社区", "wanquansi"),
    ("桥南社区", "qiaonan"),
    ("东管头社区", "dongguantou"),
    ("丽景苑社区", "lijingyuan"),
    ("玉璞家园社区", "yupu-jiayuan"),
    ("晓月中路社区", "xiaoyue-zhonglu"),
    ("青秀城社区", "qingxiucheng"),
]
COMPOUND_SUFFIXES = ["一区", "二区", "三区", "四区", "东区", "西区"]
POST_NAMES = [("北门", Post.Kind.GATE), ("南门", Post.Kind.GATE), ("东侧门", Post.Kind.CHECKPOINT)]

# One account per role. Passwords are printed by load_demo_data; they are for the demo only.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105
# Staff must give a code from an authenticator app (portal/accounts/staff.py). The demo's staff
# share this published TOTP secret, printed by load_demo_data with its otpauth:// link, so that
# a reviewer can add it to an app (or run `oathtool --totp -b SECRET`). Demo only, like the
# password: an account of a real deployment gets its own secret when its owner sets up the app.
DEMO_TOTP_SECRET = "DEMOPORTALLUGOUQIAOSTAFFTOTPCODE"  # noqa: S105
DEMO_ACCOUNTS = [
    # username, role, phone, email, display name, community slug (for staff)
    ("admin", roles.SUBDISTRICT_ADMIN, "13800000001", "admin@example.org", "街道管理员", None),
    (
        "coordinator",
        roles.COORDINATOR,
        "13800000002",
        "minyue@example.org",
        "民岳家园社区工作人员",
        "minyue-jiayuan",
    ),
    ("warehouse", roles.WAREHOUSE, "13800000003", "warehouse@example.org", "物资管理员", None),
    ("editor", roles.EDITOR, "13800000004", "editor@example.org", "街道编辑", None),
    (
        "community_editor",
        roles.EDITOR,
        "13800000005",
        "minyue-editor@example.org",
        "民岳家园社区编辑",
        "minyue-jiayuan",
    ),
    ("volunteer", roles.VOLUNTEER, "13800000006", "volunteer@example.org", "志愿者", None),
    ("donor", roles.DONOR_REP, "13800000007", "donor@example.org", "北京公交捐赠联系人", None),
    # a resident with no role: a household in home quarantine asking for help (journey 6)
    ("household", None, "13800000008", "household@example.org", "居家隔离住户", None),
    # leads the demo party branch team (volunteers.demo gives the profile and the team)
    ("teamleader", roles.TEAM_LEADER, "13800000009", "leader@example.org", "志愿队长", None),
]


def load_places():
    subdistrict, _ = Subdistrict.objects.get_or_create(
        name=SUBDISTRICT, defaults={"district": "丰台区", "phone": "010-63811234"}
    )
    for index, (name, slug) in enumerate(NAMED_COMMUNITIES + OTHER_COMMUNITIES):
        # Invented numbers in the subdistrict's 6381 range: posters and volunteers' pick-up
        # points show them.
        phone = f"010-6381{2001 + index:04d}"
        community, _ = Community.objects.get_or_create(
            slug=slug, defaults={"name": name, "subdistrict": subdistrict, "phone": phone}
        )
        if not community.phone:
            Community.objects.filter(pk=community.pk).update(phone=phone)
        # The named communities get more compounds; together about 156.
        count = 6 if index < len(NAMED_COMMUNITIES) else 4
        for suffix in COMPOUND_SUFFIXES[:count]:
            compound, _ = Compound.objects.get_or_create(
                community=community, name=f"{name.removesuffix('社区')}{suffix}"
            )
            for post_name, kind in POST_NAMES:
                Post.objects.get_or_create(
                    compound=compound,
                    name=post_name,
                    defaults={"kind": kind, "is_party_post": post_name == "北门"},
                )
    return subdistrict


def load_accounts():
    accounts = {}
    for username, role, phone, email, display, slug in DEMO_ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, phone=phone, phone_verified=True, email=email, first_name=display
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            _verify_email(user)
        if role:
            user.groups.add(Group.objects.get(name=role))
        if role in (*roles.STAFF_ROLES, roles.TEAM_LEADER):
            _give_demo_authenticator(user)
        if slug:
            StaffMembership.objects.get_or_create(
                user=user, community=Community.objects.get(slug=slug)
            )
        accounts[username] = user
    return accounts


def _give_demo_authenticator(user):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)


def demo_totp_url():
    from urllib.parse import quote

    return f"otpauth://totp/{quote('演示工作人员')}?secret={DEMO_TOTP_SECRET}&issuer={quote('卢沟桥街道演示')}"


def _verify_email(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def _tree_root():
    """Wagtail's root page and default locale, as its first migrations make them (a database
    emptied by a flush, as between transactional tests, has neither)."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.get_or_create(language_code=language)
    return Page.add_root(instance=Page(title="Root", slug="root", locale=Locale.get_default()))


def load_site():
    """A HomePage as the default site's root, replacing Wagtail's welcome page."""
    from content.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        # Wagtail's first migration leaves a plain "Welcome" page at slug "home"; remove it
        # (and the site that points to it) so the portal's home page takes its place.
        for welcome in Page.objects.filter(depth=2, slug="home"):
            if welcome.specific_class is Page and not welcome.get_children().exists():
                welcome.delete()
        root = Page.get_first_root_node() or _tree_root()
        home = HomePage(
            title="卢沟桥街道志愿与捐赠平台",
            slug="home",
            intro="社区防疫，人人有责。报名志愿服务、捐赠防疫物资、查看通知公告，都在这里。",
        )
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",  # set from SITE_URL just below
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="卢沟桥街道志愿与捐赠平台",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    sync_site()
    return home
