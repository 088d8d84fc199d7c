"""The weekly availability grid, as volunteers tick it and as matching reads it.

A profile stores its free time as JSON, {"0": [["07:00", "12:00"]], ...} (Monday = "0"), and a
copy of it as 168 characters, one per clock hour of the week (weekday * 24 + hour, "1" = free),
so the database can score availability without parsing JSON (volunteers.matching).
"""

HOURS_PER_WEEK = 168
EMPTY_MASK = "0" * HOURS_PER_WEEK


def availability_slots(grid):
    """{"0": [["07:00", "12:00"]]} -> {(0, 7), ..., (0, 11)} (weekday, clock hour).

    A range covers every clock hour it touches; one ending at or before its start runs to
    midnight. Unreadable days and ranges are skipped."""
    slots = set()
    for day, ranges in (grid or {}).items() if isinstance(grid, dict) else ():
        try:
            weekday = int(day)
        except (TypeError, ValueError):
            continue
        if not 0 <= weekday < 7:
            continue
        for pair in ranges or ():
            try:
                begin, end = pair[0], pair[1]
                h0, m0 = (int(x) for x in str(begin).split(":")[:2])
                h1, m1 = (int(x) for x in str(end).split(":")[:2])
            except (TypeError, ValueError, IndexError, KeyError):
                continue
            last = h1 if m1 == 0 else h1 + 1
            if last <= h0:
                last = 24
            slots.update((weekday, h) for h in range(max(h0, 0), min(last, 24)))
    return frozenset(slots)


def availability_mask(grid):
    """The grid as 168 "0"/"1" characters, index weekday * 24 + hour."""
    mask = bytearray(EMPTY_MASK, "ascii")
    for day, hour in availability_slots(grid):
        mask[day * 24 + hour] = ord("1")
    return mask.decode("ascii")


class WeeklyMask:
    """A stored mask as the matching core reads availability: `(weekday, hour) in grid`,
    iteration over the free slots, and truth (anything stated at all)."""

    __slots__ = ("mask",)

    def __init__(self, mask):
        self.mask = mask if mask and len(mask) == HOURS_PER_WEEK else EMPTY_MASK

    def __contains__(self, key):
        day, hour = key
        return 0 <= day < 7 and 0 <= hour < 24 and self.mask[day * 24 + hour] == "1"

    def __iter__(self):
        return iter([divmod(i, 24) for i, c in enumerate(self.mask) if c == "1"])

    def __bool__(self):
        return "1" in self.mask


def availability_display(grid):
    """The grid for people: [("星期一", "07:00-12:00, 12:00-19:00"), ...], Monday first, days
    without time left out (not "0: 07:00-12:00")."""
    from django.utils.dates import WEEKDAYS

    days = []
    for weekday in range(7):
        ranges = (grid or {}).get(str(weekday)) if isinstance(grid, dict) else None
        text = ", ".join(f"{pair[0]}-{pair[1]}" for pair in ranges or () if len(pair) >= 2)
        if text:
            days.append((WEEKDAYS[weekday], text))
    return days
