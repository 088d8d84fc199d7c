"""Factories for volunteer teams and projects."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from volunteers.models import Project, Team

from .portal import CommunityFactory

__all__ = ["ProjectFactory", "TeamFactory"]


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"志愿服务队{n}")
    community = factory.SubFactory(CommunityFactory)
    subdistrict = factory.LazyAttribute(lambda t: t.community.subdistrict)


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    title = factory.Sequence(lambda n: f"卡口值守项目{n}")
    community = factory.SubFactory(CommunityFactory)
    start_date = factory.LazyFunction(timezone.localdate)
    end_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=28))
    places = 10
    status = Project.Status.PUBLISHED
