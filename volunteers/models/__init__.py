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
  messages      MessageBatch, MessageRecipient (messages to the volunteers one leads)
  waitlist      WaitlistEntry (queue for a full shift), SwapOffer (handing a place on)
  teams         Team, TeamMembership (volunteer teams, their leaders and join requests)
  projects      Project, ProjectMembership (a community's or team's project; Task.project)
  cards         VolunteerCard (the e-card's revocable QR code)

Import from here (`from volunteers.models import Shift`); the modules are an arrangement.
"""

from .attendance import Attendance, AttendanceCorrection
from .cards import VolunteerCard
from .certificates import Certificate
from .messages import MessageBatch, MessageRecipient
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
from .projects import Project, ProjectMembership
from .shifts import Shift, ShiftQuerySet, ShiftTemplate, Task
from .signups import Signup, SignupQuerySet, SignupStatus
from .teams import Team, TeamMembership
from .waitlist import SwapOffer, WaitlistEntry

__all__ = [
    "AVAILABILITY_SLOTS",
    "IDENTITY_FIELDS",
    "WEEKDAYS",
    "Attendance",
    "AttendanceCorrection",
    "Certificate",
    "IdentityChange",
    "MessageBatch",
    "MessageRecipient",
    "Shift",
    "ShiftQuerySet",
    "ShiftTemplate",
    "Signup",
    "SignupQuerySet",
    "SignupStatus",
    "Skill",
    "SwapOffer",
    "Task",
    "VolunteerProfile",
    "VolunteerProfileQuerySet",
    "WaitlistEntry",
    "id_number_digest",
    "new_token",
    "Team",
    "TeamMembership",
    "Project",
    "ProjectMembership",
    "VolunteerCard",
]

from .stars import StarApplication  # noqa: E402  (star levels, issue 14.4)

__all__ += ["StarApplication"]
