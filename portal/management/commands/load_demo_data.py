"""Load the demo data, idempotently: running it twice creates nothing new.

The shell's data (places, accounts, site) comes first; then each app's `demo.load()`, in the
order below, adds its own. Faker's zh_CN locale invents people; real organisations named in
public reporting (communities, donor firms) are used as they are.
"""

from importlib import import_module

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from portal import demo
from portal.links import absolute

APP_LOADERS = ["content.demo", "volunteers.demo", "donations.demo", "assistance.demo"]


class Command(BaseCommand):
    help = "Create the demo subdistrict, communities, accounts and pages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")

    def handle(self, *args, quiet=False, **options):
        with transaction.atomic():
            demo.load_places()
            demo.load_accounts()
            home = demo.load_site()
            for name in APP_LOADERS:
                try:
                    module = import_module(name)
                except ModuleNotFoundError:
                    continue
                module.load(home=home, stdout=self.stdout)
        call_command("update_index", verbosity=0)
        if not quiet:
            self.print_logins()

    def print_logins(self):
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / Demo data ready."))
        self.stdout.write(f"演示账号 / Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        for username, role, phone, email, _display, slug in demo.DEMO_ACCOUNTS:
            where = f" [{slug}]" if slug else ""
            self.stdout.write(f"  {role or '居民':<8} {username:<17} {phone}  {email}{where}")
        self.stdout.write(f"后台 / Back office: {absolute('/admin/')}")
        self.stdout.write(
            "工作人员登录后须输入身份验证器应用的 6 位验证码 / Staff then give an authenticator "
            f"app code. Demo TOTP secret (demo only): {demo.DEMO_TOTP_SECRET}"
        )
        self.stdout.write(f"  {demo.demo_totp_url()}")
