"""A firm thanked in a story withdraws its consent to be named (its donor record, in the
donations app): the story's search text drops the name and the cached copies of the story and
of the lists above it go stale (the page cache's version, and a proxy in front is purged)."""

import re

import pytest

from content.cache import content_version
from content.models import StoryPage
from portal import naming
from tests.factories import DonorFactory, DonorRepresentativeFactory, add_story, make_user

pytestmark = pytest.mark.django_db

purged = []


class FakeFrontendCache:
    """A wagtail.contrib.frontend_cache backend that writes down what it was asked to purge."""

    def __init__(self, params):
        self.hostnames = ["*"]

    def invalidates_hostname(self, hostname):
        return True

    def purge(self, url):
        purged.append(url)

    def purge_batch(self, urls):
        purged.extend(urls)


@pytest.fixture(autouse=True)
def proxy(settings):
    settings.WAGTAILFRONTENDCACHE = {"fake": {"BACKEND": f"{__name__}.FakeFrontendCache"}}
    purged.clear()


FIRM = "依文集团"


@pytest.fixture
def story(story_index):
    return add_story(
        story_index,
        title="感谢捐赠口罩的企业",
        thanked=[
            {"type": "party", "value": {"kind": "firm", "name": FIRM, "consent": True}},
            {"type": "party", "value": {"kind": "firm", "name": "别的公司", "consent": True}},
        ],
    )


def test_content_asks_the_registered_rules_and_imports_no_donations():
    import content.blocks

    source = open(content.blocks.__file__, encoding="utf-8").read()
    assert not re.search(r"^\s*(from|import) (donations|volunteers|assistance)\b", source, re.M)
    assert naming.may_name("无人知晓的名字") == (True, None)


def test_withdrawn_consent_refreshes_search_text_and_purges_the_story(
    client, story, django_capture_on_commit_callbacks
):
    donor = DonorFactory(name=FIRM, public_name_consent=True)
    rep = make_user(username="rep")
    DonorRepresentativeFactory(user=rep, donor=donor)
    StoryPage.objects.get(pk=story.pk).save_revision().publish()
    assert FIRM in StoryPage.objects.get(pk=story.pk).search_text
    assert FIRM in client.get(story.url).content.decode()
    purged.clear()
    version = content_version()

    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/donations/donor/{donor.pk}/edit/",
            {
                "contact_name": donor.contact_name,
                "contact_phone": donor.contact_phone,
                "address": "",
                # public_name_consent left out: unticked
            },
        )
    assert response.status_code == 302, response.content.decode()[:500]

    text = StoryPage.objects.get(pk=story.pk).search_text
    assert FIRM not in text and "别的公司" in text
    assert content_version() != version
    assert any(url.endswith(story.url) for url in purged), purged
    client.logout()
    assert FIRM not in client.get(story.url).content.decode()


def test_an_unrelated_change_of_the_donor_touches_no_story(
    story, django_capture_on_commit_callbacks
):
    donor = DonorFactory(name=FIRM, public_name_consent=True)
    purged.clear()
    version = content_version()
    with django_capture_on_commit_callbacks(execute=True):
        donor.contact_phone = "13911112222"
        donor.save()
    assert purged == [] and content_version() == version
