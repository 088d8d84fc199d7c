"""The audit trail: who looked at or changed personal data, stock or hours, when and from where.

Every caller uses one function, `record(action, request=..., obj=..., **details)`. `action` is a
dotted name (`volunteers.verify`, `volunteers.id_number.view`, `export.personal_data`, ...).
"""

import logging

logger = logging.getLogger("portal.audit")


def client_ip(request):
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "")


def record(action, *, request=None, user=None, obj=None, **details):
    """Write one audit event. `user` defaults to the request's user."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    logger.info(
        "audit %s",
        action,
        extra={
            "audit_action": action,
            "audit_user": getattr(user, "pk", None),
            "audit_object": f"{obj._meta.label}:{obj.pk}" if obj is not None else "",
            "audit_ip": client_ip(request),
            "audit_details": details,
        },
    )
