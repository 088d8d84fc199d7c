from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from volunteers.models import Shift, Signup, Skill, Task, VolunteerProfile

from .portal import CommunityFactory, UserFactory

__all__ = [
    "ShiftFactory",
    "SignupFactory",
    "SkillFactory",
    "TaskFactory",
    "VolunteerProfileFactory",
]


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"技能{n}")


class VolunteerProfileFactory(DjangoModelFactory):
    class Meta:
        model = VolunteerProfile

    user = factory.SubFactory(UserFactory)
    real_name = factory.Sequence(lambda n: f"张志愿{n}")
    mobile = factory.LazyAttribute(lambda p: p.user.phone if p.user else "")
    community = factory.SubFactory(CommunityFactory)
    consent = True
    consent_at = factory.LazyFunction(timezone.now)
    status = VolunteerProfile.Status.VERIFIED


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    community = factory.SubFactory(CommunityFactory)
    title = factory.Sequence(lambda n: f"卡口值守{n}")
    kind = Task.Kind.GATE_DUTY


class ShiftFactory(DjangoModelFactory):
    class Meta:
        model = Shift

    task = factory.SubFactory(TaskFactory)
    start = factory.LazyFunction(lambda: timezone.now() + timedelta(days=2))
    end = factory.LazyAttribute(lambda s: s.start + timedelta(hours=5))
    places = 2


class SignupFactory(DjangoModelFactory):
    """A confirmed sign-up made directly (tests of the rules go through services.sign_up)."""

    class Meta:
        model = Signup

    shift = factory.SubFactory(ShiftFactory)
    profile = factory.SubFactory(VolunteerProfileFactory)
    status = Signup.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)
