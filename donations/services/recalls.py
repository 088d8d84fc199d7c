"""Returns to the donor and recalls of a lot (issue 15.6)."""


def open_recall_of(lot):
    """The open recall of `lot`, or None."""
    return None
