import factory
from factory.django import DjangoModelFactory

from assistance.models import HelpRequest

from .portal import CompoundFactory

__all__ = ["HelpRequestFactory"]


class HelpRequestFactory(DjangoModelFactory):
    """A household's request; pass `compound` (its community follows)."""

    class Meta:
        model = HelpRequest

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    building = factory.Sequence(lambda n: f"{n % 20 + 1}号楼{n % 6 + 1}单元{n % 30 + 101}")
    contact_name = "王女士"
    contact_phone = factory.Sequence(lambda n: f"138{n:08d}")
    need = "退烧药一盒"
