from .accounts import StaffMembership, User
from .audit import AuditEvent
from .document_jobs import DocumentJob
from .jobs import ImportJob
from .places import Community, Compound, Post, Subdistrict

__all__ = [
    "AuditEvent",
    "Community",
    "Compound",
    "DocumentJob",
    "ImportJob",
    "Post",
    "StaffMembership",
    "Subdistrict",
    "User",
]
