"""Helpers every app's forms share."""


def choose_the_only_one(field, queryset=None):
    """Offer `queryset` (default: the field's own) in a choice field; when it holds one record
    (a coordinator of one community, a community with one store), that record is chosen
    already and the empty choice is gone."""
    if queryset is not None:
        field.queryset = queryset
    only = list(field.queryset[:2])
    if len(only) == 1:
        field.initial = only[0].pk
        field.empty_label = None
