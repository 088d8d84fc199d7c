"""Role and permission changes into the audit trail, whichever screen or code makes them.

A person's roles are their groups, and a group can be changed from Wagtail's user screens
(the edit form, the "assign role" bulk action), its group screens, the staff-membership
screen or code. Recording where the change is stored, in these receivers, catches every path;
they only record (portal.audit.record), and decide nothing. Connected in PortalConfig.ready().

- a user's groups added or removed (either side of the relation)  -> accounts.roles.change
- is_superuser / is_staff / is_active changed                     -> accounts.status.change
- a group's permissions changed by a person (not by sync_roles,
  which keeps the groups equal to the code's <app>/roles.py)        -> accounts.role_permissions.change
- a staff membership added, moved to another community, removed  -> accounts.membership.*
"""

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from portal import audit
from portal.models import StaffMembership, User

STATUS_FIELDS = ("is_superuser", "is_staff", "is_active")
CHANGE_ACTIONS = {"post_add": "added", "post_remove": "removed", "post_clear": "removed"}


@receiver(m2m_changed, sender=User.groups.through)
def roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action == "pre_clear":
        if reverse:  # group.user_set.clear()
            instance._audit_cleared = set(instance.user_set.values_list("pk", flat=True))
        else:
            instance._audit_cleared = set(instance.groups.values_list("pk", flat=True))
        return
    if action not in CHANGE_ACTIONS:
        return
    ids = instance.__dict__.pop("_audit_cleared", set()) if action == "post_clear" else pk_set
    if not ids:
        return
    verb = CHANGE_ACTIONS[action]
    if reverse:
        for user in User.objects.filter(pk__in=ids):
            audit.record("accounts.roles.change", obj=user, **{verb: [instance.name]})
    else:
        names = sorted(Group.objects.filter(pk__in=ids).values_list("name", flat=True))
        audit.record("accounts.roles.change", obj=instance, **{verb: names})


@receiver(m2m_changed, sender=Group.permissions.through)
def role_permissions_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if reverse or audit.current_request() is None:
        return  # code's own changes (sync_roles after migrate) follow the reviewed roles.py
    if action == "pre_clear":
        instance._audit_cleared = set(instance.permissions.values_list("pk", flat=True))
        return
    if action not in CHANGE_ACTIONS:
        return
    ids = instance.__dict__.pop("_audit_cleared", set()) if action == "post_clear" else pk_set
    if not ids:
        return
    codenames = sorted(
        f"{app}.{codename}"
        for app, codename in Permission.objects.filter(pk__in=ids).values_list(
            "content_type__app_label", "codename"
        )
    )
    audit.record(
        "accounts.role_permissions.change", obj=instance, **{CHANGE_ACTIONS[action]: codenames}
    )


@receiver(pre_save, sender=User)
def remember_status(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(STATUS_FIELDS):
        return  # e.g. last_login at every log-in
    instance._audit_status = (
        User.objects.filter(pk=instance.pk).values(*STATUS_FIELDS).first() or None
    )


@receiver(post_save, sender=User)
def status_changed(sender, instance, created, raw=False, **kwargs):
    before = instance.__dict__.pop("_audit_status", None)
    if raw or created or before is None:
        return
    changes = {
        field: [before[field], getattr(instance, field)]
        for field in STATUS_FIELDS
        if before[field] != getattr(instance, field)
    }
    if changes:
        audit.record("accounts.status.change", obj=instance, **changes)


@receiver(pre_save, sender=StaffMembership)
def remember_membership(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        instance._audit_community = (
            StaffMembership.objects.filter(pk=instance.pk)
            .values_list("community_id", flat=True)
            .first()
        )


@receiver(post_save, sender=StaffMembership)
def membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        audit.record(
            "accounts.membership.add",
            obj=instance.user,
            communities=[instance.community_id],
            community=instance.community_id,
        )
        return
    before = instance.__dict__.pop("_audit_community", None)
    if before is not None and before != instance.community_id:
        audit.record(
            "accounts.membership.change",
            obj=instance.user,
            communities=[before, instance.community_id],
            community=instance.community_id,
            previous_community=before,
        )


@receiver(post_delete, sender=StaffMembership)
def membership_removed(sender, instance, **kwargs):
    audit.record(
        "accounts.membership.remove",
        obj=instance.user,
        communities=[instance.community_id],
        community=instance.community_id,
    )
