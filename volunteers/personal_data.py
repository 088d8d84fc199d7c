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
    return [about, shifts, certificates]


def erase(user):
    from .services.profiles import erase_profile

    erase_profile(user)
