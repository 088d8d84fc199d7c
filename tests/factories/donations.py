import datetime

import factory
from factory.django import DjangoModelFactory

from donations import models
from portal.validators import uscc_check_char

__all__ = [
    "DonorFactory",
    "DonorRepresentativeFactory",
    "ItemFactory",
    "LocationFactory",
    "PledgeFactory",
    "PledgeLineFactory",
    "make_uscc",
]


def make_uscc(n):
    """A valid unified social credit code derived from a number."""
    first17 = f"91110000{n:09d}"
    return first17 + uscc_check_char(first17)


class DonorFactory(DjangoModelFactory):
    class Meta:
        model = models.Donor

    kind = models.Donor.Kind.FIRM
    name = factory.Sequence(lambda n: f"测试捐赠企业{n}有限公司")
    credit_code = factory.Sequence(make_uscc)
    contact_name = "王女士"
    contact_phone = factory.Sequence(lambda n: f"137{n:08d}")
    verified = True
    public_name_consent = True


class DonorRepresentativeFactory(DjangoModelFactory):
    class Meta:
        model = models.DonorRepresentative

    donor = factory.SubFactory(DonorFactory)
    user = factory.SubFactory("tests.factories.portal.UserFactory")


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = models.Item
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"医用外科口罩{n}")
    category = models.Item.Category.MASKS
    unit = "只"


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = models.Location
        django_get_or_create = ["name"]

    name = "街道物资仓库"
    kind = models.Location.Kind.WAREHOUSE


class PledgeFactory(DjangoModelFactory):
    class Meta:
        model = models.Pledge

    donor = factory.SubFactory(DonorFactory)
    expected_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=2))


class PledgeLineFactory(DjangoModelFactory):
    class Meta:
        model = models.PledgeLine

    pledge = factory.SubFactory(PledgeFactory)
    item = factory.SubFactory(ItemFactory)
    quantity = 1000
    lot_number = factory.Sequence(lambda n: f"L{n:05d}")
    expiry = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=365))
