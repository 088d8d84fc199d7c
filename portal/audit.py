"""The audit trail: who looked at or changed personal data, stock or hours, when and from where.

Every caller uses one function, `record(action, request=..., obj=..., **details)`. `action` is a
dotted name (`volunteers.verify`, `volunteers.id_number.view`, `export.personal_data`, ...);
give it a label in ACTIONS below. `details` are small JSON values (ids, counts, a reason), never
a name, phone number, ID number or address: the trail outlives the personal data it is about.

Where each event goes (docs/security.md, "Logs and the audit trail"):

- a row of `portal.models.AuditEvent` (the trail itself: append-only, scoped by community,
  listed under Reports -> Audit trail);
- for an event about one record, also a Wagtail log entry (`wagtail.log_actions.log`), so it
  shows in that record's history and in the site-history report;
- one line on the `portal.audit` logger (JSON in production, see portal.jsonlog).

"From where" needs the request. Views may pass it; services (which run for the admin, the
import and the API alike) need not: `AuditMiddleware` keeps the current request for the
duration of each request, and `record` picks it up. The middleware also records any file a
back-office page hands out as a download that the view did not record itself, so a new export
cannot be forgotten.
"""

import contextvars
import ipaddress
import logging

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("portal.audit")

EXPORT = "export.personal_data"

# Every action and how people read it (the audit screen, Wagtail's history views). An action
# missing here is still stored and logged; in Wagtail's history it shows as "Audit event".
ACTIONS = {
    "volunteers.verify": _("Volunteer verified"),
    "volunteers.reject": _("Volunteer rejected"),
    "volunteers.identity.change": _("Identity details changed"),
    "volunteers.id_number.view": _("Full ID number viewed"),
    "volunteers.attendance.confirm": _("Attendance confirmed"),
    "volunteers.signup.remove": _("Removed from a shift"),
    "volunteers.attendance.correct": _("Attendance corrected"),
    "volunteers.attendance.no_show": _("Marked as no-show"),
    "volunteers.attendance.undo": _("Scan undone by the volunteer"),
    "volunteers.swap.approve": _("Shift handover approved"),
    "volunteers.swap.refuse": _("Shift handover refused"),
    "volunteers.message.send": _("Message sent to volunteers"),
    "volunteers.message.urgent_push": _("Urgent notice pushed to volunteers"),
    "volunteers.hours.confirm": _("Hours confirmed"),
    "volunteers.hours.confirm_shift": _("Hours of a shift confirmed"),
    "volunteers.hours.auto_confirm": _("Hours confirmed automatically"),
    "volunteers.hours.dispute": _("Hours disputed"),
    "volunteers.stars.publish": _("Star level published for notice"),
    "volunteers.stars.reject": _("Star level application rejected"),
    "volunteers.stars.grant": _("Star levels granted"),
    "accounts.roles.change": _("Roles changed"),
    "accounts.status.change": _("Account status changed"),
    "accounts.role_permissions.change": _("Role permissions changed"),
    "accounts.membership.add": _("Added to a community's staff"),
    "accounts.membership.change": _("Community staff membership changed"),
    "accounts.membership.remove": _("Removed from a community's staff"),
    "assistance.address.view": _("Help-request address viewed"),
    "assistance.request.delivered": _("Help request delivered and closed"),
    "assistance.request.close": _("Help request closed"),
    "assistance.request.reopen": _("Help request reopened"),
    "donations.stock.adjust": _("Stock adjusted"),
    "donations.stock.discard": _("Stock discarded"),
    "donations.stock.transfer": _("Stock transferred"),
    "donations.stock.return_to_donor": _("Goods returned to the donor"),
    "donations.lot.recall": _("Lot recalled"),
    "donations.lot.recall_lift": _("Recall lifted"),
    "donations.stocktake.start": _("Stock-take started"),
    "donations.stocktake.count": _("Stock-take counts entered"),
    "donations.stocktake.submit": _("Stock-take submitted"),
    "donations.stocktake.reopen": _("Stock-take sent back for a recount"),
    "donations.stocktake.approve": _("Stock-take approved"),
    "donations.stocktake.cancel": _("Stock-take cancelled"),
    "donations.pledge_photo.view": _("Pledge photo viewed"),
    "personal_data.download": _("Own data downloaded"),
    "account.delete": _("Account deleted"),
    "retention.apply": _("Retention rules applied"),
    EXPORT: _("Personal data exported"),
    "volunteers.team.create": _("Volunteer team created"),
    "volunteers.team.change": _("Volunteer team changed"),
    "volunteers.team.request": _("Asked to join a volunteer team"),
    "volunteers.team.approve": _("Team join request approved"),
    "volunteers.team.decline": _("Team join request declined"),
    "volunteers.team.leave": _("Left a volunteer team"),
    "volunteers.team.leader": _("Team leader appointed"),
    "volunteers.team.unleader": _("Team leader stood down"),
    "volunteers.team.propose": _("Volunteer team proposed"),
    "volunteers.team.proposal_approve": _("Team proposal approved"),
    "volunteers.team.proposal_reject": _("Team proposal rejected"),
    "volunteers.project.join": _("Joined a volunteer project"),
    "volunteers.project.leave": _("Left a volunteer project"),
    "volunteers.card.reissue": _("Volunteer e-card issued again"),
}
GENERIC_WAGTAIL_ACTION = "portal.audit"

_current_request = contextvars.ContextVar("portal_audit_request", default=None)


def current_request():
    return _current_request.get()


def action_label(action):
    return ACTIONS.get(action, action)


def client_ip(request):
    """The visitor's address, behind ALLAUTH_TRUSTED_PROXY_COUNT proxies, as allauth's rate
    limits see it (its adapter reads X-Forwarded-For the same way). "" when unknown."""
    if request is None:
        return ""
    from allauth.account.adapter import get_adapter

    try:
        ip = get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):  # no address, or a forged header
        ip = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(ip))
    except ValueError:
        return ""


def user_agent(request):
    return request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""


def community_ids_of(obj):
    """The communities `obj` belongs to, through its model's community_lookup (portal.scoping)."""
    lookup = getattr(type(obj), "community_lookup", None)
    if obj is None or not lookup or obj.pk is None:
        return []
    ids = type(obj)._default_manager.filter(pk=obj.pk).values_list(lookup, flat=True)
    return sorted({pk for pk in ids if pk is not None})


def describe(obj):
    """ "Volunteer profile #12": what the event is about, without anything personal."""
    with translation.override("zh-hans"):
        return f"{capfirst(obj._meta.verbose_name)} #{obj.pk}"


def record(
    action, *, request=None, user=None, obj=None, description="", communities=None, **details
):
    """Write one audit event and return it. `user` defaults to the request's user, `request`
    to the request being served; `communities` (ids or Community objects) to those of `obj`.
    Call it inside the transaction of the change it records, so both stand or fall together."""
    from portal.models import AuditEvent

    request = request if request is not None else current_request()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if communities is None:
        communities = community_ids_of(obj) if obj is not None else []
    community_ids = sorted({getattr(c, "pk", c) for c in communities if c is not None})
    if not description and obj is not None:
        description = describe(obj)
    event = AuditEvent.objects.create(
        action=action,
        user=user,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        description=str(description)[:300],
        details=details,
        ip_address=client_ip(request) or None,
        user_agent=user_agent(request),
        path=request.path[:300] if request is not None else "",
    )
    if community_ids:
        event.communities.set(community_ids)
    if obj is not None:
        _log_to_wagtail(event, obj, user)
    if request is not None and action == EXPORT:
        request._audit_export_recorded = True
    logger.info(
        "audit %s %s",
        action,
        event.description,
        extra={
            "audit_event": event.pk,
            "audit_action": action,
            "audit_user": user.pk if user is not None else None,
            "audit_object": f"{event.object_type}:{event.object_id}" if obj is not None else "",
            "audit_communities": community_ids,
            "audit_ip": event.ip_address or "",
            "audit_details": details,
        },
    )
    return event


def _log_to_wagtail(event, obj, user):
    from wagtail.log_actions import log, registry

    action = event.action if registry.action_exists(event.action) else GENERIC_WAGTAIL_ACTION
    log(
        instance=obj,
        action=action,
        user=user,
        title=event.description or describe(obj),
        data={"audit_event": event.pk, "action": event.action},
    )


def register_wagtail_actions(actions):
    """The register_log_actions hook (portal/wagtail_hooks.py): every ACTIONS entry, and one
    generic action for events whose action has no label here."""
    from wagtail.log_actions import LogFormatter

    for name, label in ACTIONS.items():
        actions.register_action(name, label, label)

    @actions.register_action(GENERIC_WAGTAIL_ACTION)
    class AuditEventFormatter(LogFormatter):
        label = _("Audit event")

        def format_message(self, log_entry):
            return log_entry.data.get("action", "")


# --- The request, for events recorded deeper down ------------------------------------------


def is_download(response):
    disposition = response.get("Content-Disposition", "")
    return response.status_code == 200 and disposition.lower().startswith("attachment")


class AuditMiddleware:
    """Keeps the current request for `record`, and records every download a back-office page
    hands out (xlsx, csv, pdf, ...) that its view did not record itself. Put it after
    AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
            if (
                is_download(response)
                and self.in_back_office(request)
                and not getattr(request, "_audit_export_recorded", False)
            ):
                record(
                    EXPORT,
                    request=request,
                    description=_download_name(response),
                    content_type=response.get("Content-Type", ""),
                    query=request.GET.urlencode()[:500],
                )
            return response
        finally:
            _current_request.reset(token)

    @staticmethod
    def in_back_office(request):
        from django.urls import reverse

        return request.path.startswith(reverse("wagtailadmin_home"))


def _download_name(response):
    disposition = response.get("Content-Disposition", "")
    for part in disposition.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key.lower() in ("filename", "filename*"):
            from urllib.parse import unquote

            value = value.strip('"')
            return unquote(value.split("''", 1)[-1])[:300]
    return ""


def record_export(request, queryset, file_format, **details):
    """Record the export of `queryset` (already scoped) as a file: its kind, row count and the
    communities whose records it holds."""
    model = queryset.model
    lookup = getattr(model, "community_lookup", None)
    communities = []
    if lookup:
        communities = (
            queryset.order_by().values_list(lookup, flat=True).distinct()
            if lookup != "pk"
            else queryset.order_by().values_list("pk", flat=True)
        )
    with translation.override("zh-hans"):
        description = capfirst(str(model._meta.verbose_name_plural))
    return record(
        EXPORT,
        request=request,
        description=f"{description} ({file_format})",
        communities=list(communities),
        model=model._meta.label_lower,
        format=file_format,
        rows=queryset.count(),
        **details,
    )


def forget_labels(obj, label):
    """Wagtail's history stores each record's str() at the time (a volunteer's name, a phone
    number): when the record is anonymised, its history entries take `label` instead."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).update(label=label)
