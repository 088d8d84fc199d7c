"""Working days in mainland China: Monday to Friday, less the public holidays, plus the
make-up working days (调休上班) on which a weekend is worked instead.

The State Council publishes each year's arrangement (国务院办公厅关于XXXX年部分节假日安排的
通知) around November; the dates live in settings (PUBLIC_HOLIDAYS, MAKEUP_WORKDAYS in
portal/settings/domain.py) and are to be added every year. A year not in them counts Monday to
Friday only.
"""

from datetime import date, timedelta
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _calendar(holidays, makeup):
    days_off = set()
    for first, last in holidays:
        day, end = date.fromisoformat(first), date.fromisoformat(last)
        while day <= end:
            days_off.add(day)
            day += timedelta(days=1)
    return frozenset(days_off), frozenset(date.fromisoformat(d) for d in makeup)


def _known():
    holidays = tuple(tuple(pair) for pair in settings.PUBLIC_HOLIDAYS)
    return _calendar(holidays, tuple(settings.MAKEUP_WORKDAYS))


def is_working_day(day):
    days_off, makeup = _known()
    if day in makeup:
        return True
    return day.weekday() < 5 and day not in days_off


def working_days_after(day, count):
    """The date `count` working days after `day` (`day` itself not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            count -= 1
    return day
