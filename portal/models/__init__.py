from .accounts import StaffMembership, User
from .audit import AuditEvent
from .places import Community, Compound, Post, Subdistrict

__all__ = [
    "AuditEvent",
    "Community",
    "Compound",
    "Post",
    "StaffMembership",
    "Subdistrict",
    "User",
]
