"""Scoping: portal.scoping's rules, and the back office that applies them to every screen."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal import roles
from portal.models import Community, Compound, Post, StaffMembership
from portal.scoping import can_access, communities_for, scope
from tests.factories import CompoundFactory, PostFactory, make_user


@pytest.fixture
def other_compound(other_community):
    return CompoundFactory(community=other_community, name="蔚园小区")


@pytest.fixture
def other_post(other_compound):
    return PostFactory(compound=other_compound, name="南门")


# --- portal.scoping rules -----------------------------------------------------------------


def test_community_lookup_limits_a_coordinator_to_their_communities(coordinator, post, other_post):
    assert list(scope(Post.objects.all(), coordinator)) == [post]
    assert list(scope(Compound.objects.all(), coordinator)) == [post.compound]
    assert list(communities_for(coordinator)) == [post.compound.community]
    assert can_access(coordinator, post) and not can_access(coordinator, other_post)


def test_a_coordinator_of_two_communities_sees_both(community, other_community, post, other_post):
    both = make_user(roles.COORDINATOR, [community, other_community], username="both")
    assert set(scope(Post.objects.all(), both)) == {post, other_post}


def test_community_lookup_needs_a_staff_role(community, post):
    # A membership alone (say, left over after the role was withdrawn) shows nothing.
    former = make_user(None, [community], username="former")
    assert not scope(Post.objects.all(), former).exists()


def test_subdistrict_admin_and_superuser_see_everything(subdistrict_admin, post, other_post):
    assert scope(Post.objects.all(), subdistrict_admin).count() == 2
    superuser = make_user(username="root", is_superuser=True)
    assert scope(Post.objects.all(), superuser).count() == 2


def test_anonymous_sees_nothing(post):
    assert not scope(Post.objects.all(), AnonymousUser()).exists()
    assert not scope(Community.objects.all(), AnonymousUser()).exists()


def test_a_model_without_a_rule_shows_nothing_to_staff(coordinator, community):
    assert StaffMembership.objects.filter(user=coordinator).exists()
    assert not scope(StaffMembership.objects.all(), coordinator).exists()


def test_owner_lookup_shows_a_user_their_own_records(monkeypatch, coordinator, other_coordinator):
    monkeypatch.setattr(StaffMembership, "owner_lookup", "user", raising=False)
    visible = scope(StaffMembership.objects.all(), other_coordinator)
    assert [m.user for m in visible] == [other_coordinator]


def test_donor_lookup_shows_a_representative_their_donors_records(
    monkeypatch, community, other_community, coordinator, other_coordinator
):
    # Stand-in: pretend memberships belong to donors identified by community ids.
    monkeypatch.setattr(StaffMembership, "donor_lookup", "community", raising=False)
    rep = make_user(roles.DONOR_REP, username="rep")
    rep._donor_ids = [other_community.pk]
    assert [m.community for m in scope(StaffMembership.objects.all(), rep)] == [other_community]
    rep._donor_ids = []
    assert not scope(StaffMembership.objects.all(), rep).exists()


def test_warehouse_visible_shows_everything_to_warehouse_keepers_only(
    monkeypatch, warehouse_keeper, coordinator, compound, other_compound
):
    assert not scope(Compound.objects.all(), warehouse_keeper).exists()
    monkeypatch.setattr(Compound, "warehouse_visible", True, raising=False)
    assert scope(Compound.objects.all(), warehouse_keeper).count() == 2
    assert list(scope(Compound.objects.all(), coordinator)) == [compound]


# --- The back office applies them ---------------------------------------------------------


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def test_coordinator_lists_only_their_communitys_posts_and_compounds(
    coordinator_client, post, other_post
):
    html = coordinator_client.get(reverse("posts:index")).content.decode()
    assert "民岳家园一区" in html and "蔚园小区" not in html
    html = coordinator_client.get(reverse("compounds:index")).content.decode()
    assert "民岳家园一区" in html and "蔚园小区" not in html


def test_listing_filter_offers_only_the_coordinators_communities(
    coordinator_client, post, other_post
):
    html = coordinator_client.get(reverse("posts:index")).content.decode()
    assert "民岳家园社区" in html and "蔚园社区" not in html


def test_coordinator_cannot_open_another_communitys_post(coordinator_client, post, other_post):
    assert coordinator_client.get(reverse("posts:edit", args=[post.pk])).status_code == 200
    assert coordinator_client.get(reverse("posts:edit", args=[other_post.pk])).status_code == 404
    response = coordinator_client.get(reverse("posts:history", args=[other_post.pk]))
    assert response.status_code == 404
    response = coordinator_client.get(reverse("posts:usage", args=[other_post.pk]))
    assert response.status_code == 404


def test_coordinator_cannot_open_another_communitys_compound(
    coordinator_client, compound, other_compound
):
    # Coordinators may only view compounds: Wagtail shows no edit form, and scoping hides
    # another community's compound even from the views that only read it.
    assert coordinator_client.get(
        reverse("compounds:edit", args=[other_compound.pk])
    ).status_code in (302, 403, 404)
    response = coordinator_client.get(reverse("compounds:history", args=[other_compound.pk]))
    assert response.status_code == 404


def test_coordinator_cannot_change_another_communitys_post(coordinator_client, other_post):
    response = coordinator_client.post(
        reverse("posts:edit", args=[other_post.pk]),
        {
            "compound": other_post.compound_id,
            "name": "改掉",
            "kind": "gate",
            "active": "on",
        },
    )
    assert response.status_code == 404
    other_post.refresh_from_db()
    assert other_post.name == "南门"


def test_coordinator_manages_posts_of_their_compounds(coordinator_client, post):
    response = coordinator_client.post(
        reverse("posts:edit", args=[post.pk]),
        {
            "compound": post.compound_id,
            "name": "北大门",
            "kind": "gate",
            "active": "on",
        },
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.name == "北大门"


def test_coordinator_cannot_file_a_post_under_another_communitys_compound(
    coordinator_client, post, other_compound
):
    form_html = coordinator_client.get(reverse("posts:add")).content.decode()
    assert "民岳家园一区" in form_html and "蔚园小区" not in form_html
    response = coordinator_client.post(
        reverse("posts:add"),
        {
            "compound": other_compound.pk,
            "name": "偷偷加的门",
            "kind": "gate",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form is shown again with the error
    assert not Post.objects.filter(name="偷偷加的门").exists()
    # Nor move their own post there.
    coordinator_client.post(
        reverse("posts:edit", args=[post.pk]),
        {
            "compound": other_compound.pk,
            "name": post.name,
            "kind": "gate",
            "active": "on",
        },
    )
    post.refresh_from_db()
    assert post.compound.community.name == "民岳家园社区"


def test_coordinator_cannot_export_another_communitys_records(coordinator_client, post, other_post):
    for name in ("posts", "compounds"):
        response = coordinator_client.get(reverse(f"{name}:export") + "?format=csv")
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert "民岳家园一区" in text and "蔚园" not in text


def test_coordinator_cannot_delete_posts(coordinator_client, post):
    response = coordinator_client.post(f"/admin/places/posts/delete/{post.pk}/")
    assert response.status_code == 404
    assert Post.objects.filter(pk=post.pk).exists()


def test_coordinator_has_no_staff_membership_screen(coordinator_client):
    response = coordinator_client.get(reverse("memberships:index"))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


def test_subdistrict_admin_sees_and_edits_everything(client, subdistrict_admin, post, other_post):
    client.force_login(subdistrict_admin)
    html = client.get(reverse("posts:index")).content.decode()
    assert "民岳家园一区" in html and "蔚园小区" in html
    assert client.get(reverse("posts:edit", args=[other_post.pk])).status_code == 200
    assert client.get(reverse("compounds:edit", args=[other_post.compound_id])).status_code == 200
    for name in ("subdistricts", "communities", "compounds", "posts", "memberships"):
        assert client.get(reverse(f"{name}:index")).status_code == 200, name
    text = client.get(reverse("posts:export") + "?format=csv").content.decode("utf-8-sig")
    assert "民岳家园一区" in text and "蔚园小区" in text


def test_compound_form_offers_only_the_users_communities(
    client, coordinator, community, other_community
):
    # Coordinators cannot add compounds today; were they given the permission, the form's
    # community choices would still stop at their own communities.
    from django.contrib.auth.models import Permission

    coordinator.user_permissions.add(Permission.objects.get(codename="add_compound"))
    client.force_login(coordinator)
    html = client.get(reverse("compounds:add")).content.decode()
    assert "民岳家园社区" in html and "蔚园社区" not in html
    response = client.post(
        reverse("compounds:add"), {"community": other_community.pk, "name": "新小区"}
    )
    assert response.status_code == 200
    assert not Compound.objects.filter(name="新小区").exists()
    response = client.post(reverse("compounds:add"), {"community": community.pk, "name": "新小区"})
    assert response.status_code == 302
    assert Compound.objects.filter(name="新小区", community=community).exists()


def test_post_listing_queries_do_not_grow_with_rows(coordinator_client, compound):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    PostFactory.create_batch(2, compound=compound)
    coordinator_client.get(reverse("posts:index"))
    with CaptureQueriesContext(connection) as few:
        coordinator_client.get(reverse("posts:index"))
    PostFactory.create_batch(8, compound=CompoundFactory(community=compound.community))
    with CaptureQueriesContext(connection) as many:
        coordinator_client.get(reverse("posts:index"))
    assert len(many) == len(few)
