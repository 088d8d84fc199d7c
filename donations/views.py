"""Public pages: the donations landing page, donor registration, pledges (form and
spreadsheet), a donor's donations with the path of their goods, receipt PDFs, the receipt
verification page, the transparency board, and the pages anyone may open: a pledge's shareable
"where it went" page (sharing.py) and the page of a donor that agreed to be named. Views parse, call a service and render; every
record a donor sees comes through portal.scoping.scope, so another donor's ids give 404."""

import mimetypes
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from donations import charts, documents, lot_actions, services, sharing
from donations.forms import (
    CancelPledgeForm,
    DonorForm,
    DonorPledgeForm,
    DonorPreferencesForm,
    PledgeLineFormSet,
    PledgeUploadForm,
)
from donations.models import Donor, Lot, Need, Pledge, PledgeLine, Receipt
from donations.resources import PledgeImportResource
from donations.services import flows
from donations.services import needs as needs_service
from portal import audit, fragments
from portal.admin import add_error_to_form
from portal.importexport import (
    ImportFileError,
    describe_problems,
    import_failed,
    read_dataset,
    run_import,
)
from portal.pagecache import public_cache
from portal.paging import page_without_count
from portal.params import parse_id
from portal.pdf import pdf_response
from portal.scoping import donor_ids, get_scoped_or_404
from portal.security import private_response

MINE_PER_PAGE = 20  # a donor's pledges on their page, latest first


def _my_donors(user):
    if not user.is_authenticated:
        return Donor.objects.none()
    return Donor.objects.filter(pk__in=donor_ids(user))


@public_cache("PAGE_CACHE_SECONDS")
def index(request):
    donors = list(_my_donors(request.user))
    return render(request, "donations/index.html", {"donors": donors})


@require_http_methods(["GET", "POST"])
def donor_register(request):
    if not request.user.is_authenticated:
        # "登记为捐赠方" is where a new firm starts: sign up (by phone), then come back here.
        return redirect_to_login(request.get_full_path(), login_url=reverse("account_signup"))
    form = DonorForm(request.POST or None, initial={"kind": Donor.Kind.FIRM})
    if request.method == "POST" and form.is_valid():
        try:
            donor = services.register_donor(request.user, **form.cleaned_data)
        except services.StockError as error:
            add_error_to_form(form, error)
        else:
            if donor.can_pledge:
                messages.success(request, _("Thank you. You can pledge donations now."))
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. The subdistrict office will verify your firm; you can already enter your pledge."
                    ),
                )
            return redirect("donations:mine")
    return render(request, "donations/donor_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def donor_edit(request, pk):
    donor = get_object_or_404(_my_donors(request.user), pk=pk)
    form = DonorPreferencesForm(request.POST or None, instance=donor)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect("donations:mine")
    return render(request, "donations/donor_edit.html", {"form": form, "donor": donor})


@login_required
def mine(request):
    """The donor's page. The list of pledges and where the goods went is a fragment
    (portal.fragments) kept FRAGMENT_DONOR_SECONDS, dropped by any write to donors, pledges,
    receipts, lots or the stock ledger."""
    donors = list(_my_donors(request.user))
    if not donors:
        return redirect("donations:donor_register")
    number = request.GET.get("page")
    body = fragments.cached_html(
        request,
        "donations:mine",
        ([donor.pk for donor in donors], number),
        ["donations:trace"],
        settings.FRAGMENT_DONOR_SECONDS,
        lambda: render_to_string(
            "donations/_mine_body.html", {"entries": _mine_entries(donors, number)}, request
        ),
    )
    return render(request, "donations/mine.html", {"body": body})


def _mine_entries(donors, number):
    # the latest pledges first, a page at a time: a donor of a whole year is as quick to show
    entries = []
    for donor in donors:
        page = page_without_count(
            Pledge.objects.filter(donor=donor).order_by("-created_at", "-pk"),
            number,
            MINE_PER_PAGE,
        )
        entries.append((donor, services.donor_trace(donor, pledges=page.object_list), page))
    return entries


def _need_for_pledge(request):
    """The public need a pledge form was opened from (?need= on the first visit, the form's
    hidden field after), or None. A need that no longer takes pledges raises StockError."""
    need_id = parse_id(request.POST.get("need") if request.method == "POST" else None)
    need_id = need_id or parse_id(request.GET.get("need"))
    if not need_id:
        return None
    need = get_object_or_404(Need.objects.select_related("item", "community"), pk=need_id)
    if not need.open:
        raise services.StockError(
            _("This need has been met. Thank you: please choose another need.")
            if need.status == Need.Status.MET
            else _("This need is closed; it takes no more pledges.")
        )
    return need


@login_required
@require_http_methods(["GET", "POST"])
def pledge_new(request, donor_pk):
    donor = get_object_or_404(_my_donors(request.user), pk=donor_pk)
    try:
        need = _need_for_pledge(request)
    except services.StockError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("donations:needs")
    figures = needs_service.progress(need) if need else None
    form = DonorPledgeForm(request.POST or None, initial={"need": need.pk if need else None})
    initial = [{"item": need.item, "quantity": figures["missing"] or None}] if need else None
    lines = PledgeLineFormSet(
        request.POST or None, request.FILES or None, prefix="lines", initial=initial
    )
    if request.method == "POST" and form.is_valid() and lines.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "need"}
        try:
            pledge = services.pledge(donor, lines.lines(), user=request.user, need=need, **data)
        except services.StockError as error:
            add_error_to_form(form, error)
        else:
            if getattr(pledge, "repeated", False):
                messages.info(request, _("This pledge was already recorded; here it is."))
            else:
                messages.success(request, _("Thank you! Your pledge has been recorded."))
            if getattr(pledge, "over_need", 0):
                messages.warning(
                    request,
                    _(
                        "You pledged %(n)s %(unit)s more than the need still misses; the "
                        "subdistrict will send the rest where it is needed next."
                    )
                    % {"n": pledge.over_need, "unit": need.item.unit},
                )
            return redirect("donations:pledge", pk=pledge.pk)
    return render(
        request,
        "donations/pledge_form.html",
        {"donor": donor, "form": form, "lines": lines, "need": need, "figures": figures},
    )


@login_required
@require_http_methods(["GET", "POST"])
def pledge_upload(request, donor_pk):
    donor = get_object_or_404(_my_donors(request.user), pk=donor_pk)
    form = PledgeUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        resource = PledgeImportResource(
            donor=donor,
            user=request.user,
            expected_date=form.cleaned_data["expected_date"],
            note=form.cleaned_data["note"],
            submission_key=form.cleaned_data["submission_key"],
        )
        try:
            dataset = read_dataset(
                form.content, form.file_format, resource, max_rows=settings.IMPORT_MAX_ROWS_PUBLIC
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            result = run_import(resource, dataset, dry_run=False)
            problems = describe_problems(resource, result)
            if not import_failed(result) and resource.pledge:
                if getattr(resource.pledge, "repeated", False):
                    messages.info(request, _("This pledge was already recorded; here it is."))
                else:
                    messages.success(
                        request, _("%(n)s lines imported.") % {"n": resource.pledge.lines.count()}
                    )
                return redirect("donations:pledge", pk=resource.pledge.pk)
    return render(
        request,
        "donations/pledge_upload.html",
        {"donor": donor, "form": form, "problems": problems},
    )


@login_required
def pledge_detail(request, pk, cancel_form=None):
    pledge = get_scoped_or_404(request.user, Pledge, pk=pk)
    entry = services.pledge_trace(pledge)
    lots = Lot.objects.filter(pledge_line__pledge=pledge).select_related("item")
    # Only the donor's own representatives cancel, and only while nothing has arrived.
    can_cancel = pledge.status == Pledge.Status.PLEDGED and pledge.donor_id in donor_ids(
        request.user
    )
    return render(
        request,
        "donations/pledge_detail.html",
        {
            "pledge": pledge,
            "entry": entry,
            "lots": lots,
            "cancel_form": (cancel_form or CancelPledgeForm()) if can_cancel else None,
            "shared_url": sharing.shared_url(pledge),
        },
    )


@login_required
@require_http_methods(["POST"])
def pledge_cancel(request, pk):
    pledge = get_object_or_404(Pledge.objects.filter(donor__in=_my_donors(request.user)), pk=pk)
    form = CancelPledgeForm(request.POST)
    if not form.is_valid():
        return pledge_detail(request, pk, cancel_form=form)
    try:
        services.cancel_pledge(pledge, user=request.user, reason=form.cleaned_data["reason"])
    except services.StockError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your pledge has been cancelled."))
    return redirect("donations:pledge", pk=pledge.pk)


@login_required
@private_response
def pledge_photo(request, pk):
    """A pledge line's photo, from private storage, to whoever may see the pledge (the donor's
    representatives, the warehouse, the subdistrict): another donor's id gives 404."""
    line = get_scoped_or_404(request.user, PledgeLine, pk=pk)
    if not line.photo:
        raise Http404
    try:
        handle = line.photo.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(line.photo.name)[0] or "application/octet-stream"
    audit.record("donations.pledge_photo.view", request=request, obj=line)
    return FileResponse(handle, content_type=content_type)


@private_response
@login_required
def lot_detail(request, pk):
    """The page a lot label's QR code opens: anyone signed out goes to log in and comes back;
    then the lot's trace (a community's staff: their communities' part) and the actions the
    user's role and scope allow (lot_actions)."""
    lot, communities = lot_actions.lot_for(request.user, pk)
    trace = services.trace_lot(lot)
    if communities is not None:
        trace = lot_actions.only_communities(trace, communities)
    context = {"trace": trace, "actions": lot_actions.lot_actions(request.user, lot)}
    return render(request, "donations/lot_detail.html", context)


@login_required
def receipt_pdf(request, pk):
    receipt = get_scoped_or_404(request.user, Receipt, pk=pk)
    return pdf_response(documents.receipt_pdf(receipt), inline=True)


@login_required
def thank_you_pdf(request, pk):
    receipt = get_scoped_or_404(request.user, Receipt, pk=pk)
    return pdf_response(documents.thank_you_pdf(receipt), inline=True)


def verify(request, token):
    receipt = documents.receipt_from_token(token)
    if receipt is None:
        return render(request, "donations/verify.html", {"receipt": None}, status=404)
    lines = receipt.lines.select_related("pledge_line__item").filter(accepted__gt=0)
    donor = receipt.pledge.donor
    # Whoever holds the paper can check it against the name's ends; a donor that did not
    # agree to be named in public is not spelled out to whoever else has the link.
    name = donor.name if donor.public_name_consent else _masked(donor.name)
    return render(
        request, "donations/verify.html", {"receipt": receipt, "lines": lines, "donor_name": name}
    )


def _masked(name):
    keep = 2 if len(name) > 6 else 1
    return name[:keep] + "＊" * max(len(name) - 2 * keep, 1) + name[-keep:]


def where_it_went(request, token):
    """The pledge's shareable page (sharing.py): counts per item, community and use."""
    pledge = sharing.pledge_from_token(token)
    if pledge is None or pledge.status == Pledge.Status.CANCELLED:
        return render(request, "donations/where_it_went.html", {"pledge": None}, status=404)
    lots = Lot.objects.filter(pledge_line__pledge=pledge)
    return render(
        request,
        "donations/where_it_went.html",
        {
            "pledge": pledge,
            "donor_name": pledge.donor.public_name,
            "needs": needs_service.needs_of(pledge),
            **services.where_it_went(lots),
        },
    )


def donor_public(request, pk):
    """A donor's donations, for the public (a story's link, the board): only a donor that agreed
    to be named has one; any other id answers 404."""
    donor = get_object_or_404(Donor.objects.filter(public_name_consent=True), pk=parse_id(pk))
    lots = Lot.objects.filter(donor=donor)
    return render(
        request,
        "donations/donor_public.html",
        {"donor": donor, "donor_name": donor.public_name, **services.where_it_went(lots)},
    )


@public_cache("PAGE_CACHE_BOARD_SECONDS", query=("item",))
def board(request):
    """The public supplies board. Visitors get the page cache; for people signed in the board
    itself (the same for everyone: nothing on it is personal) is one shared fragment per item
    chosen, dropped by any movement, lot or donor change and by any need's, and kept at most
    PAGE_CACHE_BOARD_SECONDS, instead of its nine sums over the ledger on every view."""
    item_id = parse_id(request.GET.get("item"))
    body = fragments.cached_html(
        request,
        "donations:board",
        item_id,
        ["donations:trace", "donations:needs"],
        settings.PAGE_CACHE_BOARD_SECONDS,
        lambda: render_to_string("donations/_board_body.html", _board_context(item_id), request),
    )
    return render(request, "donations/board.html", {"body": body})


def _board_context(item_id):
    data = services.board_data()
    items = [row for row in data["items"] if row["item"] is not None]
    selected = None
    if item_id:
        selected = next((row["item"] for row in items if row["item"].pk == item_id), None)
    if selected is None and items:
        selected = items[0]["item"]
    item_chart = charts.paired_bars(
        [
            (f"{row['item'].name}（{row['item'].unit}）", row["received"], row["distributed"])
            for row in items
        ],
        title=_("Received and handed out, by item"),
    )
    timeline_chart = stock_chart = community_chart = ""
    if selected is not None:
        timeline = data["timelines"].get(selected.pk) or []
        timeline_chart = charts.over_time(
            [(row["week"], row["received"], row["distributed"]) for row in timeline],
            title=_("%(item)s by week") % {"item": selected.name},
        )
        stock_chart = charts.stock_lines(
            [row["week"] for row in timeline],
            [(f"{selected.name}（{selected.unit}）", [row["stock"] for row in timeline])],
            title=_("%(item)s in stock at the end of each week") % {"item": selected.name},
        )
        community_chart = charts.paired_bars(
            [
                (row["community__name"], row["received"] or 0, row["distributed"] or 0)
                for row in data["communities"]
                if row["item__name"] == selected.name
            ],
            title=_("%(item)s by community") % {"item": selected.name},
        )
    today = timezone.localdate(timezone=timezone.get_default_timezone())
    needs_chart = charts.needs_met_over_time(
        needs_service.met_by_week(flows.weeks_between(today - timedelta(weeks=11), today))
    )
    return {
        "needs_chart": needs_chart,
        "data": data,
        "items": items,
        "selected": selected,
        "item_chart": item_chart,
        "timeline_chart": timeline_chart,
        "stock_chart": stock_chart,
        "community_chart": community_chart,
        "board_url": reverse("donations:board"),
    }
