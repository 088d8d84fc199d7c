"""Donations: donors and their pledges, the supply catalogue, receiving, lots, the stock ledger,
community requests, allocation, dispatch, community receipt and distribution.

The flow of goods (and of the models):

    Donor --< Pledge --< PledgeLine
                 \\--< Receipt --< ReceivingLine --> Lot (item, donor, pledge line, expiry)
    Lot + Location --> Balance (quantity on hand, reserved for allocations)
    SupplyRequest --< SupplyRequestLine --< Allocation (lot, location) >-- Dispatch
    Dispatch --1 CommunityReceipt --< CommunityReceiptLine (per allocation)
    Distribution --< DistributionLine (lot)

Every change of stock writes a Movement (the ledger, append-only) and changes Balance by a
conditional atomic update in donations.services; nothing else changes stock.

The modules: `donors`, `catalogue` (items, locations), `pledges` (pledges, receipts, lots),
`needs` (public needs), `supply` (requests, allocations, dispatches, community receipts, distributions), `ledger`
(balances, movements), `flows` (the ledger's weekly totals), `recalls`, `safety`, `stocktake`
(counts of a store) and `photos` (the pledge photo's checks and storage). Everything is
importable from `donations.models`, as migrations expect (`donations.models.validate_photo`,
`donations.models.pledge_photo_path`, `donations.models.private_storage`).
"""

from .catalogue import Item, Location
from .donors import Donor, DonorRepresentative
from .flows import WeeklyFlow
from .ledger import Balance, LedgerError, Movement, MovementQuerySet
from .needs import Need
from .photos import (
    PHOTO_FORMATS,
    PHOTO_MAX_BYTES,
    pledge_photo_path,
    private_storage,
    too_many_pixels_error,
    validate_photo,
)
from .pledges import Lot, Pledge, PledgeLine, Receipt, ReceivingLine, SerialCounter
from .recalls import ClosingLetter, DonorReturn, Recall, RecallReturn
from .safety import SafetyStock
from .stocktake import StockTake, StockTakeLine
from .supply import (
    Allocation,
    CommunityReceipt,
    CommunityReceiptLine,
    Dispatch,
    Distribution,
    DistributionLine,
    SupplyRequest,
    SupplyRequestLine,
)

__all__ = [
    "PHOTO_FORMATS",
    "PHOTO_MAX_BYTES",
    "Allocation",
    "Balance",
    "CommunityReceipt",
    "CommunityReceiptLine",
    "Dispatch",
    "Distribution",
    "DistributionLine",
    "Donor",
    "DonorRepresentative",
    "Item",
    "LedgerError",
    "Location",
    "Lot",
    "Movement",
    "Need",
    "MovementQuerySet",
    "Pledge",
    "PledgeLine",
    "Receipt",
    "ReceivingLine",
    "ClosingLetter",
    "DonorReturn",
    "Recall",
    "RecallReturn",
    "SafetyStock",
    "SerialCounter",
    "StockTake",
    "StockTakeLine",
    "SupplyRequest",
    "WeeklyFlow",
    "SupplyRequestLine",
    "pledge_photo_path",
    "private_storage",
    "too_many_pixels_error",
    "validate_photo",
]
