"""Domain operations of the donations app, as plain functions (see STYLE.md).

Views, the Wagtail back office, the spreadsheet import, demo data and benchmarks all call these;
nothing else changes stock or writes the ledger.
"""

from . import flows
from .donors import cancel_pledge, close_pledge, pledge, receive, register_donor, verify_donor
from .errors import StockError
from .ledger import adjust, check_balances, discard, next_serial, transfer
from .needs import (
    approve_need,
    close_need,
    create_need,
    public_needs,
    reject_need,
    submit_need,
    update_need,
)
from .supply import (
    allocate,
    confirm_receipt,
    dispatch,
    distribute,
    open_request_lines,
    release_allocation,
    request_line_progress,
    request_supplies,
)
from .trace import (
    board_data,
    donor_trace,
    pledge_trace,
    public_donor,
    public_figures,
    trace_lot,
    where_it_went,
)

__all__ = [
    "StockError",
    "flows",
    "adjust",
    "approve_need",
    "close_need",
    "create_need",
    "public_needs",
    "reject_need",
    "submit_need",
    "update_need",
    "allocate",
    "board_data",
    "cancel_pledge",
    "check_balances",
    "close_pledge",
    "confirm_receipt",
    "discard",
    "dispatch",
    "distribute",
    "donor_trace",
    "pledge_trace",
    "next_serial",
    "pledge",
    "public_donor",
    "public_figures",
    "receive",
    "register_donor",
    "release_allocation",
    "open_request_lines",
    "request_line_progress",
    "request_supplies",
    "trace_lot",
    "transfer",
    "verify_donor",
    "where_it_went",
]
