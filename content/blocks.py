"""StreamField blocks for every content page, one template each under templates/blocks/.

As in bakerydemo, pages use one `BaseStreamBlock`; a lesson adds nothing but a quiz, which is a
separate StreamField of `QuestionBlock`s (see content.models.courses).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from portal import naming


class HeadingBlock(blocks.StructBlock):
    heading_text = blocks.CharBlock(label=_("heading"), classname="title", required=True)
    size = blocks.ChoiceBlock(
        label=_("size"),
        choices=[("h2", "H2"), ("h3", "H3"), ("h4", "H4")],
        default="h2",
    )

    def get_searchable_content(self, value):
        return [value["heading_text"]]

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"), required=True)
    caption = blocks.CharBlock(label=_("caption"), required=False)
    attribution = blocks.CharBlock(label=_("credit"), required=False)

    class Meta:
        icon = "image"
        template = "blocks/image_block.html"
        label = _("Image with caption")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quote"))
    attribute_name = blocks.CharBlock(label=_("who said it"), required=False)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"
        label = _("Quote")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("text"), help_text=_("A short sentence above the button."))
    button_label = blocks.CharBlock(label=_("button label"))
    page = blocks.PageChooserBlock(label=_("page"), required=False)
    url = blocks.URLBlock(label=_("or a web address"), required=False)

    class Meta:
        icon = "link"
        template = "blocks/call_to_action_block.html"
        label = _("Call to action")

    def clean(self, value):
        result = super().clean(value)
        if not result.get("page") and not result.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"page": ValidationError(_("Choose a page or enter a web address."))}
            )
        return result


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    title = blocks.CharBlock(
        label=_("link text"), required=False, help_text=_("Defaults to the document's title.")
    )

    class Meta:
        icon = "doc-full"
        template = "blocks/document_block.html"
        label = _("Document")


class TableContentBlock(TableBlock):
    class Meta:
        icon = "table"
        template = "blocks/table_block.html"
        label = _("Table")


class BaseStreamBlock(blocks.StreamBlock):
    heading_block = HeadingBlock()
    paragraph_block = blocks.RichTextBlock(
        label=_("Paragraph"),
        icon="pilcrow",
        template="blocks/paragraph_block.html",
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
    )
    image_block = ImageBlock()
    block_quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    document_block = DocumentBlock()
    embed_block = EmbedBlock(
        label=_("Video or embed"),
        help_text=_("A link to a video, e.g. on Bilibili or Youku."),
        icon="media",
        template="blocks/embed_block.html",
    )
    table_block = TableContentBlock()


class ThankedPartyBlock(blocks.StructBlock):
    """Someone a story thanks. The name is shown only with their consent; otherwise the story
    says "a resident" / "a firm" without naming them."""

    kind = blocks.ChoiceBlock(
        label=_("who"),
        choices=[
            ("resident", _("Resident")),
            ("volunteer", _("Volunteer")),
            ("firm", _("Firm or organisation")),
        ],
        default="resident",
    )
    name = blocks.CharBlock(label=_("name"))
    consent = blocks.BooleanBlock(
        label=_("agreed to be named"),
        required=False,
        help_text=_("Tick only when the person or firm agreed to appear by name."),
    )
    link = blocks.URLBlock(
        label=_("link"),
        required=False,
        help_text=_("e.g. the donation's public page; shown only with consent."),
    )
    note = blocks.CharBlock(label=_("what they did"), required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["named"], context["link"] = thanked_name_and_link(value)
        return context

    class Meta:
        icon = "user"
        template = "blocks/thanked_party_block.html"
        label = _("Thanked party")


def thanked_name_and_link(value):
    """(may the name be shown, the link) of a thanked party. A firm or person registered as a
    donor is named only if the donor agreed to be named in public (the board's rule), and then
    links to its donations; otherwise the editor's consent box and link decide."""
    if not value.get("consent"):
        return False, None
    # the rules of the apps that keep consents (donations registers the donors')
    may_name, donor_url = naming.may_name(value.get("name"))
    if not may_name:
        return False, None
    return True, donor_url or value.get("link") or None


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("answer"))
    correct = blocks.BooleanBlock(label=_("correct"), required=False)

    class Meta:
        icon = "tick"
        label = _("Choice")


class QuestionBlock(blocks.StructBlock):
    """A quiz question; several correct choices make it a tick-all-that-apply question."""

    question = blocks.CharBlock(label=_("question"))
    choices = blocks.ListBlock(ChoiceBlock(), label=_("choices"), min_num=2)
    explanation = blocks.TextBlock(
        label=_("explanation"), required=False, help_text=_("Shown after the quiz is marked.")
    )

    class Meta:
        icon = "help"
        label = _("Question")

    def clean(self, value):
        result = super().clean(value)
        if not any(choice["correct"] for choice in result["choices"]):
            raise blocks.StructBlockValidationError(
                block_errors={"choices": ValidationError(_("Mark at least one choice as correct."))}
            )
        return result


class QuizBlock(blocks.StreamBlock):
    question = QuestionBlock()
