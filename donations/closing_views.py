"""The donor's closing letter as a PDF (issue 15.7): for the donor's representatives (and the
staff who may see the pledge), once the letter has been sent; 404 otherwise."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from portal.pdf import pdf_response
from portal.scoping import get_scoped_or_404

from .models import ClosingLetter, Pledge
from .services.closing import closing_letter_pdf


@login_required
def closing_letter(request, pk):
    pledge = get_scoped_or_404(request.user, Pledge, pk=pk)
    if not ClosingLetter.objects.filter(pledge=pledge).exists():
        raise Http404
    return pdf_response(closing_letter_pdf(pledge), inline=True)
