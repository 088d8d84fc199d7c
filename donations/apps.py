from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("Donations")

    def ready(self):
        from portal import fragments

        from . import naming

        naming.connect()
        # the donor's page (donations.views.mine) is a fragment dropped by any of these writes
        fragments.connect(
            *(f"donations.{name}" for name in ("Donor", "Pledge", "PledgeLine", "Receipt")),
            *(f"donations.{name}" for name in ("ReceivingLine", "Lot", "Movement")),
        )
        # the dashboard's charts and open requests (donations.panels)
        fragments.connect(
            *(f"donations.{name}" for name in ("Need", "SupplyRequest", "SupplyRequestLine")),
            "donations.Allocation",
        )
