"""Pages of a list without counting it: "Earlier" and "Later" links, never "page 3 of 40".

Django's Paginator counts every row first (SELECT COUNT(*) over the whole list) to number the
pages; on a list that grows with the data (a year of shifts) that count is most of the page's
cost. `page_without_count` reads one row more than a page holds instead: if it is there, there
is a later page. Page numbers past the end give an empty page (with its "Earlier" link);
anything that is not a number from 1 to MAX_PAGE is page 1.
"""

MAX_PAGE = 1000


class Page:
    """What the templates use of Django's Page: iteration, `has_previous`, `has_next`,
    `has_other_pages`, `previous_page_number`, `next_page_number`, `number`."""

    def __init__(self, object_list, number, has_next):
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self):
        return self._has_next

    def has_previous(self):
        return self.number > 1

    def has_other_pages(self):
        return self.has_previous() or self.has_next()

    def next_page_number(self):
        return self.number + 1

    def previous_page_number(self):
        return self.number - 1


def page_number(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MAX_PAGE else 1


def page_without_count(rows, number, per_page):
    """Page `number` (as given in the query string) of `rows`, `per_page` of them: an ordered
    queryset (one query), or a function giving the first `stop` rows of a list (for lists read
    in parts: the shift list's tiers)."""
    number = page_number(number)
    start = (number - 1) * per_page
    if callable(rows):
        found = list(rows(start + per_page + 1))[start:]
    else:
        found = list(rows[start : start + per_page + 1])
    return Page(found[:per_page], number, has_next=len(found) > per_page)
