"""Donations' part in who may be named in public (portal.naming): a registered donor is named
only with its consent (`public_donor`), and a change of a donor's consent or name is announced
(`public_names_changed`, after commit) so the pages that name it are refreshed (content's
stories: their search text and cached copies)."""

from django.db import transaction
from django.db.models.signals import post_save, pre_save

from portal import naming

from .models import Donor


def _public_donor(name):
    from .services import public_donor

    return public_donor(name)


def announce(names):
    names = {name.strip() for name in names if name and name.strip()}
    if names:
        transaction.on_commit(lambda: naming.public_names_changed.send(sender=Donor, names=names))


def _remember(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._naming_before = None
        return
    instance._naming_before = (
        Donor.objects.filter(pk=instance.pk).values_list("name", "public_name_consent").first()
    )


def _changed(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_naming_before", None)
    if raw or created or before is None:
        return
    if before != (instance.name, instance.public_name_consent):
        announce({before[0], instance.name})


def connect():
    naming.register(_public_donor)
    pre_save.connect(_remember, sender=Donor, dispatch_uid="donations-naming-before")
    post_save.connect(_changed, sender=Donor, dispatch_uid="donations-naming-after")
