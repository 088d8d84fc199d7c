"""Give a community its section of the site and its editors the right to edit it.

    python manage.py setup_community_section <slug> [<slug> ...]
    python manage.py setup_community_section --all

Run it when a community is added (the admin's "Community sections" screen does the same).
Idempotent: it creates what is missing and re-syncs the editors' group membership.
"""

from django.core.management.base import BaseCommand, CommandError

from content import services
from portal.models import Community


class Command(BaseCommand):
    help = "Create a community's content section, its editors' group and page permissions."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Community slugs.")
        parser.add_argument("--all", action="store_true", help="Every community.")

    def handle(self, *args, slugs=(), all=False, **options):
        if all:
            communities = list(Community.objects.order_by("name"))
        else:
            if not slugs:
                raise CommandError("Give one or more community slugs, or --all.")
            communities = list(Community.objects.filter(slug__in=slugs))
            missing = set(slugs) - {c.slug for c in communities}
            if missing:
                raise CommandError(f"No such community: {', '.join(sorted(missing))}")
        services.setup_editorial()
        for community in communities:
            section = services.setup_community_section(community)
            self.stdout.write(f"{community.name}: {section.url_path}")
