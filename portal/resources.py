"""Spreadsheet resources for the place directory.

Column headers are Chinese, as the subdistrict's own spreadsheets have them; they are part of
the file format, not of the interface, so they are not translated (an English header such as
"name" or "Community" is accepted on import as well). Related records are named, never
numbered: a compound by its community's name and its own, a post by community, compound and
name, and a post's kind by its label or code.
"""

import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.fields import Field

from portal.importexport import (
    ChoiceWidget,
    IntegerWidget,
    LookupWidget,
    PortalResource,
    TextWidget,
    YesNoWidget,
    cell_text,
)
from portal.models import Community, Compound, Post, Subdistrict

COMMUNITY = "社区"
COMPOUND = "小区"


def text_field(attribute, column_name):
    return Field(attribute=attribute, column_name=column_name, widget=TextWidget())


class CommunityResource(PortalResource):
    subdistrict = Field(
        attribute="subdistrict", column_name="街道", widget=LookupWidget(Subdistrict, field="name")
    )
    name = text_field("name", COMMUNITY)
    slug = text_field("slug", "标识")
    address = text_field("address", "地址")
    phone = text_field("phone", "电话")

    class Meta:
        model = Community
        fields = ("subdistrict", "name", "slug", "address", "phone")
        export_order = fields
        import_id_fields = ("name",)

    def import_instance(self, instance, row, **kwargs):
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # The slug is an ASCII identifier people rarely care about: invent one when blank.
            if not instance.slug:
                instance.slug = f"community-{secrets.token_hex(4)}"


class CompoundResource(PortalResource):
    community = Field(
        attribute="community", column_name=COMMUNITY, widget=LookupWidget(Community, field="name")
    )
    name = text_field("name", COMPOUND)
    address = text_field("address", "地址")
    households = Field(attribute="households", column_name="户数", widget=IntegerWidget())

    class Meta:
        model = Compound
        fields = ("community", "name", "address", "households")
        export_order = fields
        import_id_fields = ("community", "name")


class CompoundInCommunityWidget(LookupWidget):
    """A compound named in the 小区 column, inside the community named in the 社区 column."""

    def __init__(self):
        super().__init__(Compound, field="name")

    def get_queryset(self, value, row, *args, **kwargs):
        return Compound.objects.filter(community__name=cell_text((row or {}).get(COMMUNITY)))

    def not_found_message(self, value, row):
        return _("There is no compound named “%(value)s” in %(community)s.") % {
            "value": value,
            "community": cell_text((row or {}).get(COMMUNITY)),
        }


class PostResource(PortalResource):
    # Written on export and read by the compound lookup on import; not a field of Post.
    community = Field(
        attribute="compound__community__name",
        column_name=COMMUNITY,
        readonly=True,
        widget=TextWidget(),
    )
    compound = Field(attribute="compound", column_name=COMPOUND, widget=CompoundInCommunityWidget())
    name = text_field("name", "点位")
    # An empty cell keeps the current value (or the default for a new post).
    kind = Field(
        attribute="kind",
        column_name="类型",
        widget=ChoiceWidget(Post.Kind),
        saves_null_values=False,
    )
    is_party_post = Field(
        attribute="is_party_post",
        column_name="党员先锋岗",
        widget=YesNoWidget(),
        saves_null_values=False,
    )
    active = Field(
        attribute="active", column_name="启用", widget=YesNoWidget(), saves_null_values=False
    )

    class Meta:
        model = Post
        fields = ("community", "compound", "name", "kind", "is_party_post", "active")
        export_order = fields
        import_id_fields = ("compound", "name")

    def required_columns(self):
        return [COMMUNITY, *super().required_columns()]

    def before_import_row(self, row, **kwargs):
        super().before_import_row(row, **kwargs)
        name = cell_text(row.get(COMMUNITY))
        if not name:
            raise ValidationError({"community": _("This column must not be empty.")})
        if not Community.objects.filter(name=name).exists():
            raise ValidationError(
                {"community": LookupWidget(Community, "name").not_found_message(name, row)}
            )

    def get_queryset(self):
        return super().get_queryset().select_related("compound__community")
