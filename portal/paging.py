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


def page_without_count(queryset, number, per_page):
    """Page `number` (as given in the query string) of `queryset` (which must be ordered),
    `per_page` rows, from one query."""
    number = page_number(number)
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    return Page(rows[:per_page], number, has_next=len(rows) > per_page)
