"""PDFs, QR codes and document tokens (portal.pdf, portal.qr, portal.tokens)."""

import base64
import io
import re
import time

import pdfplumber
import pypdf
import pytest
import zxingcpp
from django.conf import settings
from django.utils import translation
from fontTools.ttLib import TTFont
from PIL import Image

from portal import pdf, qr, tokens
from tests.factories.documents import sample_receipt_context

RECEIPT = "tests/pdf/sample_receipt.html"
VERIFY_URL = "https://example.org/verify/JZ-2026-000123?t=abc:DEF-_123"


def squash(text):
    return re.sub(r"\s+", "", text)


def strings_in(value):
    """Every string in a (nested) template context."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


@pytest.fixture(scope="module")
def context():
    return sample_receipt_context(verify_url=VERIFY_URL)


@pytest.fixture(scope="module")
def receipt(context):
    """(filename, content_type, bytes) of the sample receipt in Chinese, rendered once."""
    return pdf.render_pdf(RECEIPT, context, "捐赠收据 JZ-2026-000123.pdf", language="zh-hans")


@pytest.fixture(scope="module")
def receipt_reader(receipt):
    return pypdf.PdfReader(io.BytesIO(receipt[2]))


def page_fonts(reader):
    fonts = reader.pages[0]["/Resources"]["/Font"]
    return [fonts[name].get_object() for name in fonts]


def render_page(content, dpi=200):
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    return document[0].render(scale=dpi / 72).to_pil().convert("L")


# --- render_pdf -------------------------------------------------------------------------------


def test_render_pdf_returns_filename_content_type_and_a_one_page_pdf(receipt, receipt_reader):
    filename, content_type, content = receipt
    assert filename == "捐赠收据 JZ-2026-000123.pdf"
    assert content_type == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert len(receipt_reader.pages) == 1


def test_receipt_is_small(receipt):
    assert len(receipt[2]) < 100_000


@pytest.mark.parametrize("extract", ["pypdf", "pdfplumber"])
def test_every_chinese_string_of_the_receipt_can_be_extracted(receipt, context, extract):
    content = receipt[2]
    if extract == "pypdf":
        text = pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text()
    else:
        with pdfplumber.open(io.BytesIO(content)) as document:
            text = document.pages[0].extract_text()
    text = squash(text)
    for must in [
        "北京公共交通控股(集团)有限公司",
        "口罩",
        "84消毒液",
        "卢沟桥街道",
        "①",
        "℃～42.9℃",
    ]:
        assert must in text
    # Every value of the document, and the translated labels and page counter.
    expected = [*strings_in(context), "统一社会信用代码", "接收物资", "备注", "第1页，共1页"]
    missing = [s for s in expected if squash(s) not in text]
    assert not missing, missing


def test_receipt_embeds_only_the_shipped_font_as_truetype_subsets(receipt_reader):
    embedded = {}
    for font in page_fonts(receipt_reader):
        assert font["/Subtype"] == "/Type0"
        assert "/ToUnicode" in font  # what makes the text extractable
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant["/Subtype"] == "/CIDFontType2"  # TrueType outlines, not CFF
        data = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
        # "ABCDEF+" marks a subset.
        embedded[re.sub(r"^/[A-Z]{6}\+", "", str(font["/BaseFont"]))] = TTFont(io.BytesIO(data))
    # Regular and the real Bold file (not an emboldened Regular), nothing from the system.
    assert sorted(embedded) == ["Portal-Sans", "Portal-Sans-Bold"]
    assert embedded["Portal-Sans"]["name"].getDebugName(4) == "Noto Sans SC GB2312"
    assert embedded["Portal-Sans-Bold"]["name"].getDebugName(4) == "Noto Sans SC GB2312 Bold"
    for font in embedded.values():
        glyf = font["glyf"]
        drawn = [name for name in glyf.keys() if glyf[name].numberOfContours]
        assert 20 < len(drawn) < 400  # the glyphs the page uses, not the whole font


def test_receipt_in_english_uses_the_english_labels(context):
    _, _, content = pdf.render_pdf(RECEIPT, context, "receipt.pdf", language="en")
    text = squash(pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text())
    assert "Itemsreceived" in text
    assert "Page1of1" in text
    assert "北京公共交通控股(集团)有限公司" in text  # data stays Chinese


def test_render_pdf_keeps_the_active_language(context):
    with translation.override("en"):
        _, _, content = pdf.render_pdf(RECEIPT, context, "receipt.pdf")
        assert translation.get_language() == "en"
    assert "Itemsreceived" in squash(pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text())


def test_every_page_of_a_long_document_has_the_header_table_head_and_page_number(context):
    long = {**context, "lines": context["lines"] * 12}
    _, _, content = pdf.render_pdf(RECEIPT, long, "long.pdf", language="zh-hans")
    pages = pypdf.PdfReader(io.BytesIO(content)).pages
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        text = squash(page.extract_text())
        assert "卢沟桥街道办事处" in text
        assert "物资名称" in text  # the table head repeats
        assert f"第{number}页，共{len(pages)}页" in text


def test_without_an_active_language_documents_are_chinese(context):
    with translation.override(None):
        html = pdf.render_html(RECEIPT, context)
    assert "接收物资" in html and "Items received" not in html


def test_qr_code_in_the_pdf_decodes_to_the_verification_url(receipt):
    results = zxingcpp.read_barcodes(render_page(receipt[2]))
    assert [r.text for r in results if r.format == zxingcpp.BarcodeFormat.QRCode] == [VERIFY_URL]


def test_rare_hanzi_of_names_come_from_the_shipped_supplement(tmp_path, settings):
    (tmp_path / "names.html").write_text(
        '{% extends "portal/pdf/base.html" %}{% block content %}'
        "<p>志愿者：张喆、王堃、李玥 abc</p><p><b>优秀志愿者：赵珺、钱赟</b></p>{% endblock %}"
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    _, _, content = pdf.render_pdf("names.html", {"document_title": "名单"}, "n.pdf")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = squash(reader.pages[0].extract_text())
    assert "志愿者：张喆、王堃、李玥abc" in text
    assert "优秀志愿者：赵珺、钱赟" in text
    names = {re.sub(r"^/[A-Z]{6}\+", "", str(f["/BaseFont"])) for f in page_fonts(reader)}
    assert names <= {
        "Portal-Sans",
        "Portal-Sans-Bold",
        "Portal-Sans-Supplement",
        "Portal-Sans-Supplement-Bold",
    }
    assert "Portal-Sans-Supplement" in names


def test_weasyprint_subsets_fonts_with_harfbuzz():
    """Without libharfbuzz-subset WeasyPrint falls back to fontTools: 0.9 s of CPU per page
    with our font (15 s with the full Noto CJK collection) instead of 0.2 s."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    assert harfbuzz_subset is not None
    assert harfbuzz.hb_version_atleast(4, 1, 0)


def test_documents_render_in_parallel_threads(context):
    """Each thread keeps its own font configuration; both PDFs come out whole."""
    from concurrent.futures import ThreadPoolExecutor

    def work(language):
        return pdf.render_pdf(RECEIPT, context, "r.pdf", language=language)[2]

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(work, ["zh-hans", "en", "zh-hans", "en"]))
    for content, label in zip(results, ["接收物资", "Itemsreceived"] * 2, strict=True):
        text = squash(pypdf.PdfReader(io.BytesIO(content)).pages[0].extract_text())
        assert label in text and "北京公共交通控股(集团)有限公司" in text


def test_page_counter_css_is_translated_and_quoted():
    with translation.override("zh-hans"):
        assert pdf.page_counter_css() == '"第 " counter(page) " 页，共 " counter(pages) " 页"'
    with translation.override("en"):
        assert pdf.page_counter_css() == '"Page " counter(page) " of " counter(pages)'


# --- the shipped font -------------------------------------------------------------------------


def gb2312_characters():
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                yield bytes((row, cell)).decode("gb2312")
            except UnicodeDecodeError:
                continue


@pytest.mark.parametrize("path", sorted(pdf.font_paths().values()), ids=lambda p: p.name)
def test_shipped_font_covers_gb2312_in_truetype_outlines_under_the_ofl(path):
    font = TTFont(io.BytesIO(path.read_bytes()), lazy=True)
    assert "glyf" in font and "CFF " not in font
    cmap = font.getBestCmap()
    missing = [c for c in gb2312_characters() if ord(c) not in cmap]
    assert not missing
    assert all(ord(c) in cmap for c in "ASCII ¥ © ①⑩ ⑴ ㈠ ℃ ㎡ Ⅻ □ ■ √ ✓ ★ 《》「」【】 ＡＢ１２")
    assert "Open Font License" in font["name"].getDebugName(13)
    assert (settings.BASE_DIR / "portal" / "fonts" / "OFL.txt").exists()


def test_both_weights_and_the_supplement_are_shipped():
    assert set(pdf.font_paths()) == {400, 700}
    supplement = TTFont(io.BytesIO(pdf.supplement_path().read_bytes()), lazy=True)
    cmap = supplement.getBestCmap()
    assert all(ord(c) in cmap for c in "喆堃玥珺璟赟旻昇 ，、。")
    assert "glyf" in supplement
    assert "Open Font License" in supplement["name"].getDebugName(13)


# --- cache and response -----------------------------------------------------------------------


def test_cached_pdf_renders_once_per_version_and_language(monkeypatch, context):
    calls = []

    def fake_render(template_name, context, filename, *, language=None):
        calls.append(language)
        return filename, pdf.CONTENT_TYPE, f"%PDF {len(calls)}".encode()

    monkeypatch.setattr(pdf, "render_pdf", fake_render)
    first = pdf.cached_pdf(RECEIPT, context, "a.pdf", version="1:2026-02-03", language="zh-hans")
    again = pdf.cached_pdf(RECEIPT, context, "a.pdf", version="1:2026-02-03", language="zh-hans")
    assert first == again == ("a.pdf", "application/pdf", b"%PDF 1")
    changed = pdf.cached_pdf(RECEIPT, context, "a.pdf", version="1:2026-02-04", language="zh-hans")
    english = pdf.cached_pdf(RECEIPT, context, "a.pdf", version="1:2026-02-04", language="en")
    assert changed[2] == b"%PDF 2" and english[2] == b"%PDF 3"
    assert calls == ["zh-hans", "zh-hans", "en"]


def test_template_fingerprint_covers_the_parent_template(monkeypatch):
    fingerprint = pdf.template_fingerprint(RECEIPT)
    assert fingerprint == pdf.template_fingerprint(RECEIPT)
    from django.template import loader

    real = loader.get_template

    def edited(name, *args, **kwargs):
        template = real(name, *args, **kwargs)
        if name == "portal/pdf/base.html":
            template.template.source += "<!-- edited -->"
        return template

    monkeypatch.setattr(loader, "get_template", edited)
    assert pdf.template_fingerprint(RECEIPT) != fingerprint


def test_pdf_response_downloads_with_the_chinese_filename():
    response = pdf.pdf_response(("捐赠收据 1.pdf", "application/pdf", b"%PDF-1.7"))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename=\"____ 1.pdf\"; filename*=UTF-8''%E6%8D%90%E8%B5%A0%E6%94%B6%E6%8D%AE%201.pdf"
    )
    assert response.content == b"%PDF-1.7"
    inline = pdf.pdf_response(("a.pdf", "application/pdf", b"x"), inline=True)
    assert inline["Content-Disposition"].startswith("inline;")


# --- what a document may fetch ----------------------------------------------------------------


def test_documents_may_read_static_files_but_not_other_files_or_the_network():
    assert pdf.local_file("/static/portal/css/site.css").name == "site.css"
    assert pdf.local_file(str(settings.PDF_FONT_PATH)) == settings.PDF_FONT_PATH.resolve()
    with pytest.raises(ValueError):
        pdf.local_file("/etc/passwd")
    with pytest.raises(ValueError):
        pdf.local_file(str(settings.BASE_DIR / "portal" / "settings" / "base.py"))
    with pytest.raises(ValueError):
        pdf.local_file("/static/../../../../etc/passwd")
    fetcher = pdf._fetcher_class()()
    with pytest.raises(ValueError):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    assert fetcher.fetch("data:text/plain;base64,aGk=").read() == b"hi"


# --- QR codes ---------------------------------------------------------------------------------


def decode(image):
    return [r.text for r in zxingcpp.read_barcodes(image)]


def test_qr_png_decodes_to_the_data():
    url = "https://example.org/verify/" + tokens.sign("receipt", "JZ-2026-000123")
    assert decode(Image.open(io.BytesIO(qr.qr_png(url)))) == [url]


def test_qr_svg_is_safe_markup_with_a_quiet_zone():
    svg = qr.qr_svg("https://example.org/x")
    assert svg.startswith("<svg") and hasattr(svg, "__html__")
    assert 'width="' in svg  # sized for pages
    scalable = qr.qr_svg("https://example.org/x", omitsize=True)
    assert "viewBox" in scalable and 'width="' not in scalable


def test_qr_data_uri_holds_the_svg():
    uri = qr.qr_data_uri("https://example.org/x")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).startswith(b"<svg")


def test_qr_data_uri_in_a_pdf_decodes(tmp_path, settings):
    """The <img src="data:..."> form, through WeasyPrint, scans too."""
    (tmp_path / "qr_img.html").write_text(
        '{% extends "portal/pdf/base.html" %}{% block content %}'
        '<img src="{{ uri }}" style="width: 40mm">{% endblock %}'
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    url = "https://example.org/verify/abc"
    _, _, content = pdf.render_pdf("qr_img.html", {"uri": qr.qr_data_uri(url)}, "q.pdf")
    assert decode(render_page(content)) == [url]


# --- tokens -----------------------------------------------------------------------------------


def test_token_round_trip_and_url_safe():
    token = tokens.sign("receipt", "JZ-2026-000123")
    assert re.fullmatch(r"[A-Za-z0-9_:-]+", token)
    assert tokens.verify("receipt", token) == "JZ-2026-000123"
    data = {"serial": "ZS-2026-7", "hours": 12}
    assert tokens.verify("certificate", tokens.sign("certificate", data)) == data


def test_tampered_token_is_invalid():
    token = tokens.sign("receipt", "JZ-2026-000123")
    for position in range(len(token)):
        replacement = "A" if token[position] != "A" else "B"
        tampered = token[:position] + replacement + token[position + 1 :]
        with pytest.raises(tokens.InvalidToken):
            tokens.verify("receipt", tampered)
    for bad in ["", "abc", token + "x", token[:-1], None, 42]:
        with pytest.raises(tokens.InvalidToken):
            tokens.verify("receipt", bad)


def test_token_of_another_kind_is_invalid():
    token = tokens.sign("certificate", "JZ-2026-000123")
    with pytest.raises(tokens.InvalidToken):
        tokens.verify("receipt", token)


def test_token_signed_with_another_secret_is_invalid(settings):
    token = tokens.sign("receipt", "JZ-2026-000123")
    settings.SECRET_KEY = "another-secret-key-entirely"
    with pytest.raises(tokens.InvalidToken):
        tokens.verify("receipt", token)


def test_the_same_value_always_gives_the_same_token():
    """A poster or a receipt printed twice carries the same QR code."""
    assert tokens.sign("volunteers.post", 17) == tokens.sign("volunteers.post", 17)
    assert tokens.sign("volunteers.post", 17) != tokens.sign("volunteers.post", 18)


def test_tokens_signed_with_their_time_still_verify():
    from django.core import signing

    older = signing.dumps("JZ-2026-000123", salt=tokens.SALT_PREFIX + "receipt", compress=True)
    assert tokens.verify("receipt", older) == "JZ-2026-000123"


def test_token_older_than_max_age_is_invalid(monkeypatch):
    token = tokens.sign("receipt", "JZ-1", expires=True)
    assert tokens.verify("receipt", token, max_age=60) == "JZ-1"
    # a token without a time cannot prove its age
    with pytest.raises(tokens.InvalidToken):
        tokens.verify("receipt", tokens.sign("receipt", "JZ-1"), max_age=60)
    later = time.time() + 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    with pytest.raises(tokens.InvalidToken):
        tokens.verify("receipt", token, max_age=60)
