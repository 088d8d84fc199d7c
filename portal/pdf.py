"""One way to make a PDF: render a Django template to HTML, lay it out with WeasyPrint.

Every document embeds the project's CJK font (settings.PDF_FONT_PATH) through an @font-face
rule, so Chinese renders the same on any machine, whatever fonts it has installed.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

CONTENT_TYPE = "application/pdf"


def font_face_css():
    path = settings.PDF_FONT_PATH
    return (
        "@font-face { font-family: 'Portal Sans'; "
        f"src: url('file://{path}') format('truetype'); }}"
        "html { font-family: 'Portal Sans', sans-serif; }"
    )


def render_pdf(template_name, context, filename, *, language=None):
    """Render `template_name` with `context` and return (filename, content_type, bytes)."""
    from weasyprint import CSS, HTML

    with translation.override(language or translation.get_language()):
        html = render_to_string(template_name, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR))
    pdf = document.write_pdf(stylesheets=[CSS(string=font_face_css())])
    return filename, CONTENT_TYPE, pdf


def pdf_response(result, *, inline=False):
    from django.http import HttpResponse

    filename, content_type, content = result
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    from urllib.parse import quote

    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response
