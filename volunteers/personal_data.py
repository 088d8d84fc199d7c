"""What volunteering holds about a person (portal.personal_data explains the contract)."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.personal_data import Section

from .models import Attendance, Certificate, Signup, VolunteerProfile


def sections(user):
    profile = (
        VolunteerProfile.objects.select_related("community", "compound")
        .prefetch_related("skills")
        .filter(user=user)
        .first()
    )
    if profile is None:
        return []
    about = Section(
        "volunteer_profile",
        _("Volunteer profile"),
        [
            _("Real name"),
            _("Mobile number"),
            _("ID card number"),
            _("Home community"),
            _("Compound"),
            _("Skills"),
            _("In-service party member"),
            _("Work unit"),
            _("Emergency contact"),
            _("Emergency contact's phone"),
            _("Consent given at"),
            _("Status"),
            _("Created"),
        ],
    )
    about.rows.append(
        [
            profile.real_name,
            profile.mobile,
            # Masked even here: a downloaded file is easily forwarded or lost.
            profile.masked_id_number,
            profile.community.name,
            profile.compound.name if profile.compound_id else "",
            "、".join(skill.name for skill in profile.skills.all()),
            _("Yes") if profile.is_party_member else _("No"),
            profile.work_unit,
            profile.emergency_contact_name,
            profile.emergency_contact_phone,
            profile.consent_at,
            profile.get_status_display(),
            profile.created_at,
        ]
    )
    attendance = {row.signup_id: row for row in Attendance.objects.filter(signup__profile=profile)}
    shifts = Section(
        "shifts",
        _("Shifts and hours"),
        [
            _("Task"),
            _("Community"),
            _("Start"),
            _("End"),
            _("Status"),
            _("Checked in at"),
            _("Checked out at"),
            _("Hours"),
        ],
    )
    signups = Signup.objects.filter(profile=profile).select_related("shift__task__community")
    for signup in signups.order_by("shift__start"):
        served = attendance.get(signup.pk)
        shifts.rows.append(
            [
                signup.shift.task.title,
                signup.shift.task.community.name,
                signup.shift.start,
                signup.shift.end,
                # with the coordinator's reason when she took the person off
                " · ".join(filter(None, [str(signup.get_status_display()), signup.end_reason])),
                served.check_in_at if served else None,
                served.check_out_at if served else None,
                served.hours if served else None,
            ]
        )
    certificates = Section(
        "certificates",
        _("Certificates"),
        [
            pgettext("certificate", "Serial number"),
            _("Name on the certificate"),
            pgettext("period start", "From"),
            _("Until"),
            _("Hours"),
        ],
    )
    for certificate in Certificate.objects.filter(profile=profile).order_by("issued_at"):
        certificates.rows.append(
            [
                certificate.serial,
                certificate.name,
                certificate.period_start,
                certificate.period_end,
                certificate.hours,
            ]
        )
    received = Section(
        "messages_received",
        _("Messages from your community"),
        [_("Sent at"), _("Community"), _("Message")],
    )
    for recipient in profile.messages_received.select_related("batch__community").order_by(
        "batch__created_at"
    ):
        received.rows.append(
            [recipient.batch.created_at, recipient.batch.community.name, recipient.batch.text]
        )
    return [
        about,
        shifts,
        certificates,
        received,
        *_teams_and_projects(profile),
        *_star_sections(profile),
    ]


def _teams_and_projects(profile):
    from .models import ProjectMembership, Team, TeamMembership

    teams = Section(
        "teams", _("Volunteer teams"), [_("team"), _("status"), _("team leader"), _("asked at")]
    )
    for membership in TeamMembership.objects.filter(profile=profile).select_related("team"):
        teams.rows.append(
            [
                membership.team.name,
                membership.get_status_display(),
                _("Yes") if membership.is_leader else "",
                membership.requested_at,
            ]
        )
    projects = Section(
        "projects", _("Volunteer projects"), [_("project"), _("status"), _("joined at")]
    )
    for membership in ProjectMembership.objects.filter(profile=profile).select_related("project"):
        projects.rows.append(
            [membership.project.title, membership.get_status_display(), membership.joined_at]
        )
    proposed = Section(
        "team_proposals",
        _("Teams proposed"),
        [_("team"), _("status"), _("reason"), _("created at")],
    )
    for team in Team.objects.filter(proposed_by=profile).order_by("created_at", "pk"):
        proposed.rows.append(
            [team.name, team.get_status_display(), team.decision_reason, team.created_at]
        )
    return [teams, projects, proposed]


def _star_sections(profile):
    """Star-level applications (issue 14.4)."""
    from .models import StarApplication

    stars = Section(
        "star_levels",
        _("Star levels"),
        [_("Star level"), _("Status"), _("Hours"), _("On notice until"), _("Granted on")],
    )
    for application in StarApplication.objects.filter(profile=profile).order_by("level"):
        stars.rows.append(
            [
                application.level,
                application.get_status_display(),
                application.hours,
                application.notice_until,
                application.granted_at,
            ]
        )
    return [stars]


def erase(user):
    from .models import MessageRecipient, WaitlistEntry
    from .services.profiles import erase_profile

    # who got which message is not kept for an anonymised profile; its waiting lists close
    MessageRecipient.objects.filter(profile__user=user).delete()
    WaitlistEntry.objects.filter(profile__user=user, status__in=WaitlistEntry.LIVE).update(
        status=WaitlistEntry.Status.LEFT
    )
    erase_profile(user)
