"""The supplies panels of the back office's dashboard (their data: donations/dashboard.py),
added by the construct_homepage_panels hooks in wagtail_hooks.py."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.admin.ui.components import Component


class SupplyAlertsPanel(Component):
    """Expired stock, lots expiring soon and stores below their safety stock (issue 15)."""

    name = "supply_alerts"
    order = 60

    def __init__(self, user):
        self.user = user

    def render_html(self, parent_context=None):
        from portal import fragments

        from .dashboard import stock_alerts

        # Kept per person FRAGMENT_DASHBOARD_SECONDS (expiry is a matter of time), dropped at
        # once by any movement of stock or new lot.
        return fragments.cached_html(
            (parent_context or {}).get("request"),
            "donations:stock_alerts",
            self.user.pk,
            ["donations:trace"],
            settings.FRAGMENT_DASHBOARD_SECONDS,
            lambda: render_to_string(
                "donations/admin/stock_alerts_panel.html", stock_alerts(self.user)
            ),
        )


class OpenRequestsPanel(Component):
    """The communities' requests still to allocate, oldest first, each linking to its
    allocation form."""

    name = "open_supply_requests"
    order = 55

    def __init__(self, user):
        self.user = user

    def render_html(self, parent_context=None):
        from portal import fragments

        from .dashboard import open_requests

        can_allocate = self.user.has_perm("donations.add_allocation")

        def render():
            context = open_requests(self.user)
            context["can_allocate"] = can_allocate
            return render_to_string("donations/admin/open_requests_panel.html", context)

        # per person (their scope), dropped by any request, allocation or stock movement
        return fragments.cached_html(
            (parent_context or {}).get("request"),
            "donations:open_requests",
            f"{self.user.pk}:{int(can_allocate)}",
            ["donations:requests", "donations:trace"],
            settings.FRAGMENT_DASHBOARD_SECONDS,
            render,
        )


class SupplyChartsPanel(Component):
    """Stock on hand per item and the week's flows, over the last weeks (issue 15 item 8)."""

    name = "supply_charts"
    order = 61

    def render_html(self, parent_context=None):
        from portal import fragments

        from .dashboard import supply_charts

        # The same pictures for everyone (the board's figures): one copy for all, dropped by any
        # movement of stock or change of a need, and made again for a new day's weeks.
        return fragments.cached_html(
            (parent_context or {}).get("request"),
            "donations:supply_charts",
            timezone.localdate(timezone=timezone.get_default_timezone()).isoformat(),
            ["donations:trace", "donations:needs"],
            settings.FRAGMENT_DASHBOARD_SECONDS,
            lambda: render_to_string("donations/admin/supply_charts_panel.html", supply_charts()),
        )
