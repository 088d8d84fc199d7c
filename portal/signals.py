from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_role_groups(sender, app_config=None, **kwargs):
    # Permissions of every app exist once the last app has migrated; syncing after each app is
    # cheap and idempotent, and the final pass leaves every group complete.
    from portal.roles import sync_roles

    sync_roles()


@receiver(post_migrate)
def sync_default_site(sender, app_config=None, **kwargs):
    # The Wagtail Site record says where the site lives (page.full_url, the sitemap): SITE_URL.
    if app_config is not None and app_config.label == "portal":
        from portal.links import sync_site

        sync_site()
