"""The largest numbers the portal accepts, by what they count.

Every integer model field carries a MaxValueValidator from here (tests/portal/test_bounds.py
walks them all), and the forms and imports that fill them use the same maximum, so a typed
2147483648 is a message on the form rather than an integer overflow on PostgreSQL.
"""

from django.core.validators import MaxValueValidator

# Units of one item on one line: a pledge, a request, an allocation, a movement.
MAX_QUANTITY = 1_000_000
# Units of one lot at one location (sums of lines; the database's own integer range).
MAX_BALANCE = 2**31 - 1
# People on one shift.
MAX_PLACES = 500
# Minutes of one attendance (a day), and on one certificate (a lifetime of service).
MAX_ATTENDANCE_MINUTES = 24 * 60
MAX_TOTAL_MINUTES = 10_000_000
# Households in one residential compound.
MAX_HOUSEHOLDS = 100_000
# A lesson's estimated length, in minutes.
MAX_LESSON_MINUTES = 600
# A score in per cent.
MAX_SCORE = 100
# Display order of a short list.
MAX_SORT_ORDER = 32_767
# Serial numbers (receipts, certificates) per series.
MAX_SERIAL = 10**12


def max_value(limit):
    return MaxValueValidator(limit)
