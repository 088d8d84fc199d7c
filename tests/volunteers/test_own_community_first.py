"""Issue 12 (5): a task is its own community's unless the coordinator opens it; opened, its
suggestions list its own community's volunteers first and mark the others, in the SQL ranking
and the pure core alike."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import ShiftFactory, TaskFactory, VolunteerProfileFactory, make_user
from volunteers import matching, services
from volunteers.matching.loaders import load_candidates, shift_specs, week_window
from volunteers.models import Task, VolunteerProfile

pytestmark = pytest.mark.django_db


def test_a_new_task_takes_its_own_community_only(community, other_community):
    assert Task(community=community).own_community_only
    task = TaskFactory(community=community)
    outsider = VolunteerProfileFactory(community=other_community)
    with pytest.raises(services.SignupError) as refused:
        services.sign_up(outsider, ShiftFactory(task=task))
    assert refused.value.code == "community"


@pytest.fixture
def crowd(community, compound, other_community, settings):
    # weigh living elsewhere more than living close: the outsider outscores the neighbour
    settings.MATCHING_WEIGHTS = {"same_compound": 0, "same_community": 0, "elsewhere": 3}
    start = (timezone.now() + timedelta(days=3)).replace(hour=7, minute=0, second=0, microsecond=0)
    task = TaskFactory(community=community, compound=compound, own_community_only=False)
    shift = ShiftFactory(task=task, start=start, end=start + timedelta(hours=5), places=2)
    outsider = VolunteerProfileFactory(community=other_community)
    neighbour = VolunteerProfileFactory(community=community, compound=compound)
    return shift, outsider, neighbour


def test_own_community_first_and_others_marked(crowd):
    shift, outsider, neighbour = crowd
    suggestions = matching.rank_for_shift(shift)
    assert suggestions[0].score < suggestions[1].score  # not by score: own community first
    assert [s.profile for s in suggestions] == [neighbour, outsider]
    assert [s.elsewhere for s in suggestions] == [False, True]
    # the pure core orders them the same way
    spec = shift_specs([shift], open_places=False)[shift.pk]
    candidates, commitments = load_candidates(
        VolunteerProfile.objects.all(), week_window([shift.start, shift.end])
    )
    ranked = matching.rank(candidates, spec, matching.weights(), commitments=commitments)
    assert [r.candidate_id for r in ranked] == [neighbour.pk, outsider.pk]


def test_the_suggestions_page_marks_volunteers_from_elsewhere(client, crowd, coordinator):
    shift, outsider, neighbour = crowd
    client.force_login(coordinator)
    response = client.get(f"/admin/volunteering/shifts/{shift.pk}/suggestions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(neighbour.real_name) < html.index(outsider.real_name)
    assert html.count("外社区") == 1
    assert html.index("外社区") > html.index(outsider.real_name)


def test_an_invitation_to_a_closed_task_is_refused(community, other_community, coordinator):
    shift = ShiftFactory(task=TaskFactory(community=community))
    outsider = VolunteerProfileFactory(user=make_user(username="far"), community=other_community)
    with pytest.raises(services.SignupError) as refused:
        services.invite(shift, outsider, coordinator)
    assert refused.value.code == "community"
    proposals, _result = matching.propose(type(shift).objects.filter(pk=shift.pk))
    assert outsider not in [p.profile for p in proposals]
