"""Spreadsheet import and export through the Wagtail admin (portal.importexport)."""

import csv
import io

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path, reverse
from import_export.fields import Field
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.snippets.views.snippets import SnippetViewSet

from portal import roles
from portal.admin import ScopedViewSetMixin
from portal.importexport import (
    ImportExportViewSetMixin,
    PortalResource,
    TextWidget,
    describe_problems,
    read_dataset,
    run_import,
)
from portal.models import Community, Compound, Post, Subdistrict
from portal.resources import CommunityResource, CompoundResource
from tests.factories import CompoundFactory, PostFactory, SubdistrictFactory, make_user

COMPOUND_HEADERS = ["社区", "小区", "地址", "户数"]
POST_HEADERS = ["社区", "小区", "点位", "类型", "党员先锋岗", "启用"]


def xlsx(headers, rows):
    return tablib.Dataset(*rows, headers=headers).export("xlsx")


def csv_bytes(headers, rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, name, content, filename="places.xlsx"):
    return client.post(reverse(f"{name}:import"), {"file": SimpleUploadedFile(filename, content)})


def preview(client, name, content, filename="places.xlsx"):
    response = upload(client, name, content, filename)
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"], client.get(response["Location"])


@pytest.fixture
def admin_client(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    return client


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# --- Export --------------------------------------------------------------------------------


def test_export_xlsx_holds_the_scoped_listing_with_chinese_headers(
    coordinator_client, post, other_community
):
    PostFactory(compound=CompoundFactory(community=other_community, name="蔚园小区"), name="南门")
    response = coordinator_client.get(reverse("posts:export") + "?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == POST_HEADERS
    assert rows[1:] == [["民岳家园社区", "民岳家园一区", "北门", "大门/卡口", "否", "是"]]


def test_export_csv_is_excel_readable_utf8(admin_client, compound, other_community):
    CompoundFactory(community=other_community, name="蔚园小区", households=120)
    response = admin_client.get(reverse("compounds:export") + "?format=csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == COMPOUND_HEADERS
    assert ["蔚园社区", "蔚园小区", "", "120"] in lines
    assert ["民岳家园社区", "民岳家园一区", "", ""] in lines


def test_export_follows_the_listing_search(admin_client, compound, other_community):
    CompoundFactory(community=other_community, name="蔚园小区")
    response = admin_client.get(reverse("compounds:export") + "?format=csv&q=蔚园")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [line[1] for line in lines[1:]] == ["蔚园小区"]


def test_export_follows_the_listing_filter(admin_client, compound, other_community):
    CompoundFactory(community=other_community, name="蔚园小区")
    url = reverse("compounds:export") + f"?format=csv&community={other_community.pk}"
    lines = list(csv.reader(io.StringIO(admin_client.get(url).content.decode("utf-8-sig"))))
    assert [line[1] for line in lines[1:]] == ["蔚园小区"]


# --- Import: preview, all or nothing, confirm ----------------------------------------------


def test_preview_names_each_bad_row_field_and_reason_in_chinese(admin_client, compound):
    content = xlsx(
        COMPOUND_HEADERS,
        [
            ["民岳家园社区", "民岳家园二区", "卢沟桥路1号", 300],
            ["民岳家园社区", "民岳家园三区", "", "很多"],
            ["不存在社区", "某小区", "", ""],
        ],
    )
    _url, response = preview(admin_client, "compounds", content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行 · 户数：“很多”不是整数" in html
    assert "第 4 行 · 社区：不存在名为“不存在社区”的社区" in html
    assert "民岳家园二区" in html  # the good row is previewed
    assert "确认导入" not in html  # no confirm button while there are problems
    assert Compound.objects.count() == 1  # the dry run wrote nothing


def test_file_with_one_bad_row_writes_nothing_even_when_confirmed(admin_client, compound):
    content = xlsx(
        COMPOUND_HEADERS,
        [
            ["民岳家园社区", "民岳家园二区", "", 300],
            ["民岳家园社区", "民岳家园三区", "", -5],
        ],
    )
    url, _response = preview(admin_client, "compounds", content)
    response = admin_client.post(url)
    assert response.status_code == 200
    assert "第 3 行" in response.content.decode()
    assert Compound.objects.count() == 1


def test_confirm_imports_new_and_updated_rows(admin_client, compound):
    content = xlsx(
        COMPOUND_HEADERS,
        [
            ["民岳家园社区", "民岳家园一区", "新地址", 200],
            ["民岳家园社区", "民岳家园二区", "", ""],
        ],
    )
    url, response = preview(admin_client, "compounds", content)
    assert "确认导入" in response.content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("compounds:index")
    compound.refresh_from_db()
    assert (compound.address, compound.households) == ("新地址", 200)
    assert Compound.objects.filter(name="民岳家园二区", community=compound.community).exists()
    # The stored file is gone once imported: confirming twice does nothing more.
    assert admin_client.post(url).status_code == 302
    assert Compound.objects.count() == 2


def test_confirm_revalidates_the_stored_file(admin_client, compound):
    content = xlsx(COMPOUND_HEADERS, [["民岳家园社区", "新小区", "", ""]])
    url, _response = preview(admin_client, "compounds", content)
    compound.community.name = "改名社区"  # the data changed between preview and confirm
    compound.community.save()
    response = admin_client.post(url)
    assert response.status_code == 200
    assert "不存在名为“民岳家园社区”的社区" in response.content.decode()
    assert Compound.objects.count() == 1


def test_csv_in_gbk_as_excel_saves_it(admin_client, compound):
    content = csv_bytes(COMPOUND_HEADERS, [["民岳家园社区", "民岳家园二区", "", "50"]], "gb18030")
    url, response = preview(admin_client, "compounds", content, "compounds.csv")
    assert "民岳家园二区" in response.content.decode()
    admin_client.post(url)
    assert Compound.objects.filter(name="民岳家园二区", households=50).exists()


def test_upload_of_a_file_without_the_key_columns_is_refused_next_to_the_field(admin_client):
    response = upload(admin_client, "compounds", xlsx(["地址"], [["x"]]))
    assert response.status_code == 200
    assert "文件缺少列：社区、小区" in response.content.decode()


def test_upload_of_another_file_type_is_refused(admin_client):
    response = upload(admin_client, "compounds", b"hello", "notes.txt")
    assert response.status_code == 200
    assert Compound.objects.count() == 0


def test_preview_token_belongs_to_its_uploader(admin_client, compound, client):
    url, _response = preview(
        admin_client,
        "compounds",
        xlsx(COMPOUND_HEADERS, [["民岳家园社区", "民岳家园二区", "", ""]]),
    )
    other_admin = make_user(roles.SUBDISTRICT_ADMIN, username="sdadmin2")
    client.force_login(other_admin)
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("compounds:import")
    assert Compound.objects.count() == 1


def test_post_import_by_kind_label_or_code(admin_client, compound):
    content = xlsx(
        POST_HEADERS,
        [
            ["民岳家园社区", "民岳家园一区", "东门", "大门/卡口", "是", ""],
            ["民岳家园社区", "民岳家园一区", "3号楼", "stairwell", "", "否"],
            ["民岳家园社区", "民岳家园一区", "西门", "城门", "", ""],
            ["民岳家园社区", "民岳家园九区", "南门", "", "", ""],
        ],
    )
    url, response = preview(admin_client, "posts", content)
    html = response.content.decode()
    assert "第 4 行 · 类型：“城门”不是以下之一" in html
    assert "第 5 行 · 小区：民岳家园社区没有名为“民岳家园九区”的小区" in html
    content = xlsx(
        POST_HEADERS,
        [
            ["民岳家园社区", "民岳家园一区", "东门", "大门/卡口", "是", ""],
            ["民岳家园社区", "民岳家园一区", "3号楼", "stairwell", "", "否"],
        ],
    )
    url, response = preview(admin_client, "posts", content)
    html = response.content.decode()
    assert "<td>楼门/单元</td>" in html  # previewed as it will be stored, not as typed
    admin_client.post(url)
    east = Post.objects.get(name="东门")
    stairs = Post.objects.get(name="3号楼")
    assert (east.kind, east.is_party_post, east.active) == ("gate", True, True)
    assert (stairs.kind, stairs.is_party_post, stairs.active) == ("stairwell", False, False)


def test_exported_file_imports_back_unchanged(admin_client, post):
    exported = admin_client.get(reverse("posts:export") + "?format=xlsx").content
    url, response = preview(admin_client, "posts", exported)
    assert "确认导入" in response.content.decode()
    admin_client.post(url)
    assert Post.objects.count() == 1


def test_community_import_invents_a_slug(admin_client, community):
    content = xlsx(
        ["街道", "社区", "标识", "地址", "电话"],
        [[community.subdistrict.name, "新社区", "", "", ""]],
    )
    url, _response = preview(admin_client, "communities", content)
    admin_client.post(url)
    assert Community.objects.get(name="新社区").slug.startswith("community-")


# --- Import scoping and permissions --------------------------------------------------------


def test_coordinator_importing_posts_of_another_community_gets_row_errors(
    coordinator_client, post, other_community
):
    CompoundFactory(community=other_community, name="蔚园小区")
    PostFactory(compound__community=other_community, compound__name="蔚园二区", name="北门")
    content = xlsx(
        POST_HEADERS,
        [
            ["民岳家园社区", "民岳家园一区", "东门", "", "", ""],
            ["蔚园社区", "蔚园小区", "南门", "", "", ""],
            ["蔚园社区", "蔚园二区", "北门", "", "", "否"],
        ],
    )
    url, response = preview(coordinator_client, "posts", content)
    html = response.content.decode()
    assert "第 3 行 · 小区：“蔚园社区 · 蔚园小区”不在您负责的社区范围内" in html
    assert "第 4 行：“蔚园二区 · 北门”不在您负责的社区范围内" in html
    coordinator_client.post(url)
    assert Post.objects.count() == 2
    assert Post.objects.get(name="北门", compound__community=other_community).active


def test_coordinator_can_import_posts_of_their_own_compounds(coordinator_client, post):
    content = xlsx(POST_HEADERS, [["民岳家园社区", "民岳家园一区", "东门", "", "", ""]])
    url, _response = preview(coordinator_client, "posts", content)
    assert coordinator_client.post(url).status_code == 302
    assert Post.objects.filter(name="东门", compound=post.compound).exists()


def test_import_button_needs_add_or_change_permission(coordinator_client, compound, post):
    # Coordinators may view compounds but not add or change them.
    html = coordinator_client.get(reverse("compounds:index")).content.decode()
    assert reverse("compounds:import") not in html
    assert reverse("compounds:export") in html
    # Wagtail answers a missing permission by sending the user back to the dashboard.
    response = coordinator_client.get(reverse("compounds:import"))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    html = coordinator_client.get(reverse("posts:index")).content.decode()
    assert reverse("posts:import") in html


def test_volunteer_cannot_export(client, post):
    volunteer = make_user(roles.VOLUNTEER, username="vol")
    client.force_login(volunteer)
    response = client.get(reverse("posts:export") + "?format=csv")
    assert response.status_code in (302, 403)
    assert "北门" not in response.content.decode()


# --- The all-or-nothing rule on the resource itself, on SQLite and PostgreSQL ---------------


def _compound_dataset(rows):
    return read_dataset(xlsx(COMPOUND_HEADERS, rows), "xlsx", CompoundResource())


@pytest.mark.django_db(transaction=True)
def test_resource_import_with_a_bad_row_rolls_back_every_row():
    community = Community.objects.create(
        subdistrict=SubdistrictFactory(), name="民岳家园社区", slug="minyue"
    )
    dataset = _compound_dataset(
        [
            ["民岳家园社区", "一区", "", 10],
            ["民岳家园社区", "二区", "", 20],
            ["民岳家园社区", "三区", "", "x"],
            ["民岳家园社区", "四区", "", 40],
        ]
    )
    result = run_import(CompoundResource(), dataset, dry_run=False)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert Compound.objects.filter(community=community).count() == 0

    result = run_import(
        CompoundResource(),
        _compound_dataset([["民岳家园社区", "一区", "", 10], ["民岳家园社区", "二区", "", 20]]),
        dry_run=False,
    )
    assert not result.has_validation_errors() and not result.has_errors()
    assert Compound.objects.filter(community=community).count() == 2


class ExplodingCompoundResource(CompoundResource):
    """Fails while saving one row, as a database or service error would."""

    def do_instance_save(self, instance, is_create):
        if instance.name == "坏区":
            raise RuntimeError("disk full")
        super().do_instance_save(instance, is_create)


@pytest.mark.django_db(transaction=True)
def test_resource_import_rolls_back_when_saving_a_row_fails():
    Community.objects.create(subdistrict=SubdistrictFactory(), name="民岳家园社区", slug="minyue")
    resource = ExplodingCompoundResource()
    dataset = _compound_dataset(
        [
            ["民岳家园社区", "一区", "", 10],
            ["民岳家园社区", "坏区", "", 20],
            ["民岳家园社区", "三区", "", 30],
        ]
    )
    result = run_import(resource, dataset, dry_run=False)
    assert result.has_errors()
    assert Compound.objects.count() == 0
    problems = [str(p) for p in describe_problems(resource, result)]
    assert problems == ["第 3 行：此行无法保存（disk full）"]


def test_dry_run_writes_nothing(compound):
    dataset = _compound_dataset([["民岳家园社区", "二区", "", 10]])
    result = run_import(CompoundResource(), dataset, dry_run=True)
    assert result.totals["new"] == 1
    assert Compound.objects.count() == 1


def test_community_resource_round_trip_headers(community):
    dataset = CommunityResource().export(Community.objects.all())
    assert dataset.headers == ["街道", "社区", "标识", "地址", "电话"]
    assert dataset[0][1] == "民岳家园社区"


def test_export_button_carries_the_listings_search(admin_client, compound):
    html = admin_client.get(reverse("compounds:index") + "?q=民岳").content.decode()
    assert reverse("compounds:export") + "?q=%E6%B0%91%E5%B2%B3&amp;format=xlsx" in html


# --- The mixin on a SnippetViewSet (this module doubles as the URLconf of the test below) ----


class SubdistrictResource(PortalResource):
    name = Field(attribute="name", column_name="街道", widget=TextWidget())
    district = Field(attribute="district", column_name="区", widget=TextWidget())

    class Meta:
        model = Subdistrict
        fields = ("name", "district")
        import_id_fields = ("name",)


class SubdistrictSnippetViewSet(ScopedViewSetMixin, ImportExportViewSetMixin, SnippetViewSet):
    model = Subdistrict
    name = "test_subdistricts"
    url_prefix = "test-subdistricts"
    import_resource_class = SubdistrictResource
    export_resource_class = SubdistrictResource


snippet_viewset = SubdistrictSnippetViewSet()
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("snippets/", include((snippet_viewset.get_urlpatterns(), snippet_viewset.url_namespace))),
]


@pytest.mark.urls(__name__)
def test_the_mixin_works_on_a_snippet_viewset(admin_client):
    SubdistrictFactory()
    namespace = snippet_viewset.url_namespace
    html = admin_client.get(reverse(f"{namespace}:list")).content.decode()
    assert reverse(f"{namespace}:import") in html and reverse(f"{namespace}:export") in html
    exported = admin_client.get(reverse(f"{namespace}:export") + "?format=csv")
    assert exported.content.decode("utf-8-sig").splitlines() == ["街道,区", "卢沟桥街道,丰台区"]
    content = xlsx(["街道", "区"], [["新街道", "丰台区"]])
    response = admin_client.post(
        reverse(f"{namespace}:import"), {"file": SimpleUploadedFile("s.xlsx", content)}
    )
    assert "确认导入" in admin_client.get(response["Location"]).content.decode()
    response = admin_client.post(response["Location"])
    assert response["Location"] == reverse(f"{namespace}:list")
    assert Subdistrict.objects.filter(name="新街道").exists()
