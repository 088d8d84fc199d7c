"""One way to make a PDF: render a Django template to HTML, lay it out with WeasyPrint.

Every document embeds the project's own CJK font (settings.PDF_FONT_PATH, a GB2312 subset of
Noto Sans SC with TrueType outlines, its Bold, and a Supplement of rare hanzi beside it; see
portal/fonts/README.md) through @font-face rules, so Chinese renders the same on any machine,
whatever fonts it has installed, and a one-page document takes about 0.2 s of CPU.

Documents are templates under `<app>/templates/<app>/pdf/` that extend
"portal/pdf/base.html" (see its comment for the context it expects). WeasyPrint fetches only
`data:` URIs, the fonts, and static and media files: never the network (there is none at run
time, and a document must not be able to make the server fetch an address) and no other file.

    from portal.pdf import cached_pdf, pdf_response
    from portal.tokens import sign

    def receipt_pdf(request, pk):
        receipt = get_object_or_404(scope(Receipt.objects.all(), request.user), pk=pk)
        url = site_url("donations:verify", sign("receipt", receipt.serial))
        context = {"receipt": receipt, "document_title": _("Donation receipt"),
                   "document_number": receipt.serial, "verify_url": url,
                   "subdistrict_name": receipt.subdistrict.name}
        result = cached_pdf("donations/pdf/receipt.html", context, f"{receipt.serial}.pdf",
                            version=f"{receipt.pk}:{receipt.updated_at.isoformat()}")
        return pdf_response(result)
"""

import atexit
import hashlib
import re
import threading
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.template import loader
from django.template.loader_tags import ExtendsNode
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

CONTENT_TYPE = "application/pdf"
FONT_FAMILY = "Portal Sans"
SUPPLEMENT_FAMILY = "Portal Sans Supplement"
CACHE_TIMEOUT = 7 * 24 * 3600


def font_paths():
    """{css font-weight: path} of the main font files (GB2312 subset) that exist."""
    regular = Path(settings.PDF_FONT_PATH)
    bold = Path(settings.PDF_FONT_BOLD_PATH)
    return {weight: path for weight, path in ((400, regular), (700, bold)) if path.exists()}


def supplement_path():
    """The font of the rare hanzi outside GB2312, if it exists."""
    path = Path(settings.PDF_FONT_SUPPLEMENT_PATH)
    return path if path.exists() else None


def font_face_css():
    """@font-face rules for the shipped fonts, and the font of every element.

    Pango takes each character from the first family that has it: the GB2312 font (Regular
    and a real Bold) for nearly everything, the Supplement (Regular, emboldened when bold is
    asked) for rare hanzi of names, and a system font only for what neither has (Extension
    A/B hanzi, emoji): slower and machine-dependent, but better than a blank box.
    """
    faces = [(FONT_FAMILY, weight, path) for weight, path in font_paths().items()]
    families = [f"'{FONT_FAMILY}'"]
    if supplement := supplement_path():
        faces.append((SUPPLEMENT_FAMILY, 400, supplement))
        families.append(f"'{SUPPLEMENT_FAMILY}'")
    families.append("sans-serif")
    rules = [
        f"@font-face {{ font-family: '{family}'; font-weight: {weight}; "
        f"font-style: normal; src: url('{path.as_uri()}') format('truetype'); }}"
        for family, weight, path in faces
    ]
    rules.append(f"html {{ font-family: {', '.join(families)}; }}")
    rules.append(f"@page {{ font-family: {', '.join(families)}; }}")
    return "\n".join(rules)


def _fetcher_class():
    from weasyprint.urls import URLFetcher

    class LocalURLFetcher(URLFetcher):
        """Fetches data: URIs, project files and static/media files; refuses everything else."""

        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme != "file":
                raise ValueError(f"PDF documents may not fetch {url}")
            return super().fetch(local_file(unquote(urlsplit(url).path)).as_uri(), headers)

    return LocalURLFetcher


def local_file(path):
    """The file a document may read for `path`, or ValueError.

    Templates use {% static %} and media URLs; with the base URL "file:///<project>/" these
    arrive here as "/static/..." and "/media/..." paths. Anything else must lie in the font,
    static or media folders: a document never reads settings, databases or keys.
    """
    from django.contrib.staticfiles import finders
    from django.core.exceptions import SuspiciousFileOperation

    static_url = "/" + settings.STATIC_URL.strip("/") + "/"
    media_url = "/" + (settings.MEDIA_URL or "/media/").strip("/") + "/"
    if path.startswith(static_url):
        try:
            found = finders.find(path[len(static_url) :])
        except SuspiciousFileOperation:
            found = None
        if found:
            return Path(found)
        if settings.STATIC_ROOT:
            path = str(Path(settings.STATIC_ROOT) / path[len(static_url) :])
    elif path.startswith(media_url) and settings.MEDIA_ROOT:
        path = str(Path(settings.MEDIA_ROOT) / path[len(media_url) :])
    resolved = Path(path).resolve()
    roots = [Path(settings.PDF_FONT_PATH).parent, settings.STATIC_ROOT, settings.MEDIA_ROOT]
    if any(root and resolved.is_relative_to(Path(root).resolve()) for root in roots):
        return resolved
    raise ValueError(f"PDF documents may not read {path}")


def page_counter_css():
    """A CSS `content` value saying "Page 1 of 2" in the active language."""
    text = _("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", text):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append('"' + piece.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return mark_safe(" ".join(parts))  # noqa: S308 - CSS built from quoted, escaped strings


def document_language(language=None):
    """`language`, else the active one, else the site's default (Chinese): a background task
    or a management command has no active language and must not print English labels."""
    return language or translation.get_language() or settings.LANGUAGE_CODE


def render_html(template_name, context, *, language=None):
    """The document's HTML, in `language` (default: see document_language).

    Adds `page_counter_css` for the base layout and, when the context has `verify_url`,
    `verify_qr`: the QR code of that address as inline SVG.
    """
    from .qr import qr_svg

    with translation.override(document_language(language)):
        extra = {"page_counter_css": page_counter_css()}
        if context.get("verify_url") and "verify_qr" not in context:
            extra["verify_qr"] = qr_svg(context["verify_url"], omitsize=True)
        return loader.render_to_string(template_name, {**extra, **context})


_local = threading.local()


@atexit.register
def _forget_tools():
    # Let the FontConfiguration remove its temporary folder while the interpreter still can.
    _local.__dict__.pop("tools", None)


def _layout_tools():
    """(font_config, stylesheet, url_fetcher) for this thread, made once.

    @font-face rules only take effect through a FontConfiguration shared by the stylesheet
    and write_pdf. Making it (and copying the font files into it) for every document costs a
    quarter of the time of a one-page PDF, so each thread keeps its own: Pango's state is
    not shared between threads. Remade when the font settings change (tests, benchmark).
    """
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    css = font_face_css()
    tools = getattr(_local, "tools", None)
    if tools is None or tools[0] != css:
        font_config = FontConfiguration()
        fetcher = _fetcher_class()(timeout=5)
        stylesheet = CSS(string=css, font_config=font_config, url_fetcher=fetcher)
        tools = _local.tools = (css, font_config, stylesheet, fetcher)
    return tools[1:]


def render_pdf(template_name, context, filename, *, language=None):
    """Render `template_name` with `context` and return (filename, content_type, bytes).

    `language` defaults to the active one, else to Chinese; the document is laid out in it.
    """
    from weasyprint import HTML

    html = render_html(template_name, context, language=language)
    font_config, stylesheet, fetcher = _layout_tools()
    base_url = Path(settings.BASE_DIR).resolve().as_uri() + "/"
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    pdf = document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
    return filename, CONTENT_TYPE, pdf


def template_fingerprint(template_name):
    """A hash of the template's source and of every template it extends.

    Part of the cache key, so that a changed template (a deployment) makes new PDFs.
    """
    digest = hashlib.sha256()
    seen = set()
    name = template_name
    while name and name not in seen:
        seen.add(name)
        template = loader.get_template(name).template
        digest.update(name.encode() + b"\0" + template.source.encode())
        extends = next(iter(template.nodelist.get_nodes_by_type(ExtendsNode)), None)
        parent = getattr(getattr(extends, "parent_name", None), "var", None)
        name = parent if isinstance(parent, str) else None
    for path in [*font_paths().values(), supplement_path()]:
        if path:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:16]


def cached_pdf(template_name, context, filename, *, version, language=None):
    """render_pdf through the cache: the same result while the source has not changed.

    `version` must change whenever anything the document shows changes: pass e.g.
    `f"{receipt.pk}:{receipt.updated_at.isoformat()}"`. The key also holds the template's
    source (and its parents'), the language and the font, so editing a template or the
    record invalidates the cached PDF; old entries expire after CACHE_TIMEOUT.
    """
    language = document_language(language)
    raw = "|".join(
        (template_name, language or "", str(version), template_fingerprint(template_name))
    )
    key = "portal.pdf:" + hashlib.sha256(raw.encode()).hexdigest()
    content = cache.get(key)
    if content is None:
        _, _, content = render_pdf(template_name, context, filename, language=language)
        cache.set(key, content, CACHE_TIMEOUT)
    return filename, CONTENT_TYPE, content


def pdf_response(result, *, inline=False):
    """An HttpResponse that downloads (or, with inline=True, shows) the PDF."""
    from django.http import HttpResponse

    filename, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    # An ASCII fallback for old clients, the real (often Chinese) name for the others.
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Content-Length"] = str(len(content))
    # Certificates, receipts, letters and notes carry names: no cache may keep a copy, whoever
    # asked (a signed-in person's responses are private anyway; this covers every other path).
    from portal.security import make_private

    return make_private(response)
