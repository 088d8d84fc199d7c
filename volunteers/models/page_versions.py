"""What moves a volunteer's page version (portal.fragments): every write to the rows that
page shows, whichever way it is made - `save()`, `delete()` and the queryset's `update()`,
`delete()`, `bulk_create()` and `bulk_update()` (the services change statuses with conditional
updates, which send no signal).

A model takes part by using `PageVersionQuerySet` as its manager and naming, in
`volunteer_page_lookups`, how its rows reach the volunteers whose page shows them
("profile_id", "signup__profile_id", ...). Its saves and deletes are connected in
volunteers/apps.py.
"""

from django.db import models

from portal import fragments


def profile_ids(queryset):
    lookups = queryset.model.volunteer_page_lookups
    rows = queryset.order_by()
    rows.query.select_for_update = False  # a plain read, inside a transaction or not
    ids = set()
    for lookup in lookups:
        ids.update(rows.values_list(lookup, flat=True).distinct())
    ids.discard(None)
    return ids


def touch(ids):
    fragments.bump(*(fragments.profile_version(pk) for pk in sorted(ids)))


def touch_rows(queryset):
    touch(profile_ids(queryset))


def touch_instances(model, instances, batch=5000):
    """The rows' own fields are read from the instances; lookups through a relation take one
    query per `batch` rows (a sign-up's save costs none). In batches: SQLite took minutes over
    one `pk IN (...)` of 80,000 ids where 40,000 took a third of a second."""
    lookups = model.volunteer_page_lookups
    direct = [lookup for lookup in lookups if "__" not in lookup]
    ids = {getattr(obj, lookup, None) for obj in instances for lookup in direct}
    related = [lookup for lookup in lookups if "__" in lookup]
    pks = [obj.pk for obj in instances if obj.pk is not None] if related else []
    for start in range(0, len(pks), batch):
        rows = model._base_manager.filter(pk__in=pks[start : start + batch]).order_by()
        for lookup in related:
            ids.update(rows.values_list(lookup, flat=True).distinct())
    ids.discard(None)
    touch(ids)


class PageVersionQuerySet(models.QuerySet):
    def update(self, **kwargs):
        touch_rows(self)
        return super().update(**kwargs)

    def delete(self):
        touch_rows(self)
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        made = super().bulk_create(objs, *args, **kwargs)
        touch_instances(self.model, made)
        return made

    def bulk_update(self, objs, *args, **kwargs):
        touch_instances(self.model, objs)
        return super().bulk_update(objs, *args, **kwargs)


def saved(sender, instance, **kwargs):
    touch_instances(sender, [instance])


def deleting(sender, instance, **kwargs):
    touch_instances(sender, [instance])
