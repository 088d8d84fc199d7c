from .accounts import StaffMembership, User
from .places import Community, Compound, Post, Subdistrict

__all__ = ["Community", "Compound", "Post", "StaffMembership", "Subdistrict", "User"]
