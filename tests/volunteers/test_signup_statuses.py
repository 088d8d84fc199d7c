"""The groups of sign-up statuses are named once, on Signup, and the queryset methods of the
same names select exactly those sign-ups."""

import pytest

from tests.factories import ShiftFactory, SignupFactory, VolunteerProfileFactory
from volunteers.models import Signup

pytestmark = pytest.mark.django_db


def test_every_status_is_live_or_ended_and_the_groups_say_what_they_mean():
    everything = set(Signup.Status.values)
    assert set(Signup.LIVE) | set(Signup.ENDED) == everything
    assert not set(Signup.LIVE) & set(Signup.ENDED)
    assert set(Signup.HOLDING) == {"confirmed", "no_show"}
    assert set(Signup.EXPECTED) == {"invited", "confirmed"}
    assert set(Signup.HOLDING) | set(Signup.EXPECTED) == set(Signup.LIVE)


def test_queryset_methods_select_their_group():
    shift = ShiftFactory(places=10)
    made = {
        status: SignupFactory(shift=shift, profile=VolunteerProfileFactory(), status=status)
        for status in Signup.Status.values
    }
    for method, group in [
        ("live", Signup.LIVE),
        ("holding", Signup.HOLDING),
        ("expected", Signup.EXPECTED),
        ("ended", Signup.ENDED),
    ]:
        found = set(getattr(Signup.objects, method)().values_list("pk", flat=True))
        assert found == {made[status].pk for status in group}, method
        # the same through a related manager
        assert set(getattr(shift.signups, method)().values_list("pk", flat=True)) == found


def test_the_one_live_signup_constraint_is_about_the_live_group():
    (constraint,) = Signup._meta.constraints
    assert constraint.condition.children == [("status__in", Signup.LIVE)]
