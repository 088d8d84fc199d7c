"""Load the demo data, idempotently: running it twice creates nothing new.

The shell's data (places, accounts, site) comes first; then each app's `demo.load()`, in the
order below, adds its own. Faker's zh_CN locale invents people; real organisations named in
public reporting (communities, donor firms) are used as they are.
"""

import argparse
from importlib import import_module

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal import demo, scale
from portal.links import absolute

APP_LOADERS = ["content.demo", "volunteers.demo", "donations.demo", "assistance.demo"]


class Command(BaseCommand):
    help = "Create the demo subdistrict, communities, accounts and pages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--scale",
            help="Add a subdistrict after a year (portal.scale): 'year', or a factor such as 0.1.",
        )
        # One count each (for tests): --volunteers N --shifts-per-week N --weeks N ...
        for name in scale.YEAR:
            parser.add_argument(f"--{name.replace('_', '-')}", type=int, help=argparse.SUPPRESS)

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
        if options["scale"]:
            self.load_scale(options)
        call_command("update_index", verbosity=0)
        if not quiet:
            self.print_logins()

    def load_scale(self, options):
        try:
            sizes = scale.Sizes.build(options["scale"], **{k: options[k] for k in scale.YEAR})
        except ValueError as error:
            raise CommandError(f"--scale: {error}") from error
        self.stdout.write(f"一年的数据 / A year of data: {sizes.as_dict()}")
        with transaction.atomic():
            scale.load(sizes, stdout=self.stdout)
            problems = scale.check()
            if problems:
                raise CommandError("; ".join(problems))
        scale.analyze()

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
