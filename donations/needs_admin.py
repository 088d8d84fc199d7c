"""The back office of needs (issue 15.3): coordinators write their community's needs and submit
them, the subdistrict office approves or rejects them (with a reason) and closes those no
longer needed. The listing is scoped like every other (portal.scoping: a coordinator sees only
their community's needs); every change goes through services.needs."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column

from portal import roles
from portal.admin import ScopedViewSet, show_error
from portal.scoping import get_scoped_or_404

from . import services
from .admin_views import _render
from .models import Item, Need
from .services import needs as needs_service

Status = Need.Status


class NeedForm(WagtailAdminModelForm):
    # Every active item may be asked for (a coordinator sees no stock, yet names the item).
    item = forms.TypedChoiceField(
        label=pgettext_lazy("supply", "item"), coerce=lambda pk: Item.objects.get(pk=pk)
    )

    class Meta:
        model = Need
        fields = ["community", "item", "quantity", "urgency", "needed_by", "purpose"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "---------")] + [
            (item.pk, f"{item}（{item.unit}）") for item in Item.objects.filter(active=True)
        ]
        if self.instance.pk:
            self.initial["item"] = self.instance.item_id


def _fields(form):
    return {key: form.cleaned_data.get(key) for key in needs_service.FIELDS}


def _actions(need):
    """What may be done next, as links to the action page (which asks before doing it)."""
    names = {
        Status.DRAFT: ["submit"],
        Status.REJECTED: ["submit"],
        Status.SUBMITTED: ["approve", "reject"],
        Status.APPROVED: ["close"],
    }.get(need.status, [])
    return format_html_join(
        " · ",
        '<a href="{}">{}</a>',
        (
            (reverse("donations_admin:need_action", args=[need.pk, name]), LABELS[name])
            for name in names
        ),
    )


def _status(need):
    if need.status == Status.REJECTED:
        return format_html("{} · {}", need.get_status_display(), need.decision_reason)
    if need.status == Status.CLOSED:
        return format_html("{} · {}", need.get_status_display(), need.close_reason)
    return need.get_status_display()


class NeedViewSet(ScopedViewSet):
    model = Need
    icon = "list-ul"
    menu_label = gettext_lazy("Needs (public)")
    name = "donations_needs"
    inspect_view_enabled = True
    form_class = NeedForm
    list_select_related = ("community", "item")
    list_display = [
        "item",
        "quantity",
        Column("requester", label=gettext_lazy("community"), accessor="requester"),
        "urgency",
        "needed_by",
        Column("status", label=gettext_lazy("status"), accessor=_status),
        Column("actions", label=gettext_lazy("Next step"), accessor=_actions),
    ]
    list_filter = ["status", "urgency", "community"]
    search_fields = ["item__name", "purpose", "community__name"]

    def save_new(self, form, user):
        return services.create_need(user, **_fields(form))

    def save_changes(self, instance, form, user):
        return services.update_need(instance, user, **_fields(form))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=200)


LABELS = {
    "submit": gettext_lazy("Submit for approval"),
    "approve": gettext_lazy("Approve and publish"),
    "reject": gettext_lazy("Reject"),
    "close": gettext_lazy("Close (no longer needed)"),
}


@permission_required("donations.change_need", raise_exception=True)
def need_action(request, pk, action):
    """Submit, approve, reject (with a reason) or close (with a reason) one need."""
    if action not in LABELS:
        raise Http404
    need = get_scoped_or_404(request.user, Need.objects.select_related("item", "community"), pk=pk)
    if action in ("approve", "reject") and not roles.is_subdistrict_admin(request.user):
        raise Http404
    needs_reason = action in ("reject", "close")
    form = ReasonForm(request.POST or None) if needs_reason else None
    if request.method == "POST" and (form is None or form.is_valid()):
        reason = form.cleaned_data["reason"] if form else ""
        try:
            if action == "submit":
                services.submit_need(need, request.user)
            elif action == "approve":
                services.approve_need(need, request.user)
            elif action == "reject":
                services.reject_need(need, request.user, reason)
            else:
                services.close_need(need, request.user, reason)
        except services.StockError as error:
            show_error(request, error)
        else:
            need.refresh_from_db()
            messages.success(
                request,
                _("%(need)s: %(status)s.") % {"need": need, "status": need.get_status_display()},
            )
            return redirect("donations_needs:index")
    return _render(
        request,
        "need_action.html",
        LABELS[action],
        {
            "need": need,
            "form": form,
            "action": action,
            "label": LABELS[action],
            "figures": needs_service.progress(need),
        },
        icon="list-ul",
    )
