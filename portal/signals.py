from django.apps import apps
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def sync_role_groups(sender, app_config=None, **kwargs):
    """After `migrate` (or a test's flush), once every app's permissions exist: post_migrate
    is sent once per app with models, in INSTALLED_APPS order, so the groups are synced on the last."""
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    if sender is not last:
        return
    from portal.roles import sync_roles

    sync_roles()


@receiver(post_migrate)
def sync_default_site(sender, app_config=None, **kwargs):
    # The Wagtail Site record says where the site lives (page.full_url, the sitemap): SITE_URL.
    if app_config is not None and app_config.label == "portal":
        from portal.links import sync_site

        sync_site()
