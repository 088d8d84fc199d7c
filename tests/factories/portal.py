import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory

from portal.models import Community, Compound, Post, StaffMembership, Subdistrict, User

__all__ = [
    "CommunityFactory",
    "CompoundFactory",
    "PostFactory",
    "StaffMembershipFactory",
    "SubdistrictFactory",
    "UserFactory",
    "add_totp",
    "make_user",
    "totp_code",
]


class SubdistrictFactory(DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ["name"]

    name = "卢沟桥街道"
    district = "丰台区"


class CommunityFactory(DjangoModelFactory):
    class Meta:
        model = Community

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"测试{n}社区")
    slug = factory.Sequence(lambda n: f"community-{n}")


class CompoundFactory(DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试{n}小区")


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    compound = factory.SubFactory(CompoundFactory)
    name = factory.Sequence(lambda n: f"{n}号门")
    kind = Post.Kind.GATE


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    phone_verified = True
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass-1234-word")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffMembershipFactory(DjangoModelFactory):
    class Meta:
        model = StaffMembership

    user = factory.SubFactory(UserFactory)
    community = factory.SubFactory(CommunityFactory)


def make_user(role=None, communities=(), **kwargs):
    """A user in `role` (a portal.roles name) serving `communities`."""
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for community in communities:
        StaffMembership.objects.create(user=user, community=community)
    return user


def add_totp(user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", *, recovery_codes=False):  # noqa: S107
    """Give `user` an authenticator app (allauth's TOTP) with a known secret; returns it."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)
    if recovery_codes:
        RecoveryCodes.activate(user)
    return secret


def totp_code(secret, step=0):
    """The code an authenticator app shows now (step=0), or `step` periods later. allauth
    refuses a code used once already, and accepts the neighbouring periods (MFA_TOTP_TOLERANCE),
    so a test that needs two codes takes step 0 and step 1."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))
