"""Reason codes of the core as translated text: why someone is suggested, and why a sign-up
is refused (a course gate links to the course)."""

from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import Skill
from .core import (
    AVAILABLE,
    COMMUNITY_NOT_ACCEPTED,
    COMPLETED_COURSE,
    HAS_SKILL,
    LIGHT_LOAD,
    MISSING_COURSE,
    MISSING_SKILL,
    NOT_A_MEMBER,
    NOT_VERIFIED,
    OVERLAPPING_COMMITMENT,
    PARTLY_AVAILABLE,
    PARTY_MEMBER_PRIORITY,
    RELIABLE,
    SAME_COMMUNITY,
    SAME_COMPOUND,
    WEEKLY_CAP_EXCEEDED,
)
from .loaders import weekly_cap


def reason_names(codes):
    """Skill and course names for the ids inside reason codes (two queries at most)."""
    skill_ids, course_ids = set(), set()
    for code in codes:
        kind, _sep, value = code.partition(":")
        if kind in (HAS_SKILL, MISSING_SKILL):
            skill_ids.add(int(value))
        elif kind in (COMPLETED_COURSE, MISSING_COURSE):
            course_ids.add(int(value))
    skills = dict(Skill.objects.filter(pk__in=skill_ids).values_list("pk", "name"))
    courses = {}
    if course_ids:
        from content.models import CoursePage

        courses = {c.pk: c for c in CoursePage.objects.filter(pk__in=course_ids)}
    return skills, courses


def reason_text(code, skills, courses):
    kind, _sep, value = code.partition(":")
    if kind == SAME_COMPOUND:
        return _("lives in the same compound")
    if kind == SAME_COMMUNITY:
        return _("same community")
    if kind == HAS_SKILL:
        return _("has the skill “%(skill)s”") % {"skill": skills.get(int(value), value)}
    if kind == AVAILABLE:
        return _("available then")
    if kind == PARTLY_AVAILABLE:
        return _("partly available then")
    if kind == COMPLETED_COURSE:
        course = courses.get(int(value))
        return _("completed the course “%(course)s”") % {
            "course": course.title if course else value
        }
    if kind == LIGHT_LOAD:
        return _("few hours this week")
    if kind == RELIABLE:
        return _("reliable attendance")
    if kind == PARTY_MEMBER_PRIORITY:
        return _("party member on a party-member post")
    return code


def _course_url(course):
    try:
        return course.get_url() or ""
    except Exception:  # pragma: no cover - a page outside any site has no URL
        return ""


def refusal(code, skills, courses, shift):
    """(message, code) of a failed eligibility rule, translated; a course gate links to it."""
    kind, _sep, value = code.partition(":")
    if kind == NOT_VERIFIED:
        return _("Only verified volunteers can take shifts."), "not_verified"
    if kind == COMMUNITY_NOT_ACCEPTED:
        return (
            _("This shift is for volunteers of %(community)s only.")
            % {"community": shift.task.community.name}
        ), "community"
    if kind == MISSING_SKILL:
        return (
            _("This shift needs the skill “%(skill)s”; add it to your profile if you have it.")
            % {"skill": skills.get(int(value), value)}
        ), "skill"
    if kind == MISSING_COURSE:
        course = courses.get(int(value))
        title = course.title if course else value
        text = _("Please complete the course “%(course)s” first.") % {"course": title}
        url = _course_url(course) if course else ""
        if url:
            return format_html('{} <a href="{}">{}</a>', text, url, _("Open the course")), "course"
        return text, "course"
    if kind == OVERLAPPING_COMMITMENT:
        return _("This overlaps a shift you have already signed up for."), "overlap"
    if kind == NOT_A_MEMBER:
        return _("This shift is for the members of its team's project only."), "not_in_team"
    if kind == WEEKLY_CAP_EXCEEDED:
        return (
            _("This would take you over %(hours)s hours of shifts this week.")
            % {"hours": f"{weekly_cap():g}"}
        ), "weekly_cap"
    return code, "ineligible"
