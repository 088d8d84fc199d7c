"""Volunteering: who volunteers, what needs doing, when, who took it, and the hours served.

VolunteerProfile (one per user, belongs to a home community) -> Signup (a place on a Shift)
-> Attendance (check-in/out, from which hours are derived) -> Certificate (a snapshot of hours).
A Task says what is done where (community, optionally a compound or post); a ShiftTemplate
generates the Task's recurring Shifts. Every model names its path to portal.Community in
`community_lookup`, so portal.scoping.scope() shows coordinators only their communities.

  profiles      Skill, VolunteerProfile, IdentityChange
  shifts        Task, ShiftTemplate, Shift
  signups       Signup (its statuses and their groups: Signup.LIVE, Signup.objects.live() ...)
  attendance    Attendance, AttendanceCorrection
  certificates  Certificate

Import from here (`from volunteers.models import Shift`); the modules are an arrangement.
"""

from .attendance import Attendance, AttendanceCorrection
from .certificates import Certificate
from .profiles import (
    AVAILABILITY_SLOTS,
    IDENTITY_FIELDS,
    WEEKDAYS,
    IdentityChange,
    Skill,
    VolunteerProfile,
    VolunteerProfileQuerySet,
    id_number_digest,
    new_token,
)
from .shifts import Shift, ShiftQuerySet, ShiftTemplate, Task
from .signups import Signup, SignupQuerySet, SignupStatus

__all__ = [
    "AVAILABILITY_SLOTS",
    "IDENTITY_FIELDS",
    "WEEKDAYS",
    "Attendance",
    "AttendanceCorrection",
    "Certificate",
    "IdentityChange",
    "Shift",
    "ShiftQuerySet",
    "ShiftTemplate",
    "Signup",
    "SignupQuerySet",
    "SignupStatus",
    "Skill",
    "Task",
    "VolunteerProfile",
    "VolunteerProfileQuerySet",
    "id_number_digest",
    "new_token",
]

from .stars import StarApplication  # noqa: E402  (star levels, issue 14.4)

__all__ += ["StarApplication"]
