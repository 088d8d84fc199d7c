"""Receipts (捐赠接收凭证), thank-you letters and dispatch notes through the real service
(donations.documents, on portal.pdf.render_pdf). Prints one JSON line: seconds_per_receipt,
bytes_per_receipt, seconds_per_dispatch_note, bytes_per_dispatch_note."""

import json
import os
import time

from donations_bench import base_data
from harness import bench_database

COUNT = int(os.environ.get("BENCH_DOCUMENTS", "20"))


def main():
    from donations import documents, services
    from donations.models import Receipt
    from portal.models import Community, Subdistrict

    data = base_data(lots=6, per_lot=1000)
    keeper, item = data["keeper"], data["item"]
    receipt = Receipt.objects.get()
    documents.receipt_pdf(receipt)  # warm up fonts and templates
    started = time.perf_counter()
    sizes = [len(documents.receipt_pdf(receipt)[2]) for _ in range(COUNT)]
    receipt_seconds = (time.perf_counter() - started) / COUNT
    letter = len(documents.thank_you_pdf(receipt)[2])

    community = Community.objects.create(
        subdistrict=Subdistrict.objects.get(), name="民岳家园社区", slug="minyue"
    )
    request = services.request_supplies(community, [(item, 4500)], purpose="卡口", user=keeper)
    note = services.dispatch(services.allocate(request.lines.get(), user=keeper), user=keeper)
    started = time.perf_counter()
    note_sizes = [len(documents.dispatch_note_pdf(note)[2]) for _ in range(COUNT)]
    note_seconds = (time.perf_counter() - started) / COUNT
    return {
        "documents": COUNT,
        "seconds_per_receipt": round(receipt_seconds, 3),
        "bytes_per_receipt": round(sum(sizes) / COUNT),
        "bytes_per_thank_you": letter,
        "seconds_per_dispatch_note": round(note_seconds, 3),
        "bytes_per_dispatch_note": round(sum(note_sizes) / COUNT),
    }


if __name__ == "__main__":
    with bench_database("donations_pdf"):
        result = main()
    print(json.dumps(result))
