from .accounts import StaffMembership, User
from .audit import AuditEvent
from .jobs import ImportJob
from .places import Community, Compound, Post, Subdistrict

__all__ = [
    "AuditEvent",
    "Community",
    "Compound",
    "ImportJob",
    "Post",
    "StaffMembership",
    "Subdistrict",
    "User",
]
