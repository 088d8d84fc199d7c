"""Every URL that takes an id, swept for every role (issue 10, point 11).

The sweep walks the URL resolver, so a new view cannot be forgotten: every pattern that captures
an argument must be filled here (FILL, or a Wagtail viewset whose model has a record in the
world) or excluded with a reason (EXCLUDED); `test_every_id_taking_url_is_known` fails loudly
otherwise. Each role then requests each URL with the records of community A / donor A /
volunteer A, which it must not reach, and must get 403, 404, 405 (then its POST is refused
too), a redirect to a login page or Wagtail's permission-denied redirect: never 200, never 500.
Any GET, by anyone, changes no row in any table.
"""

import datetime
import time
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import LocalePrefixPattern
from django.utils import timezone, translation

from portal import roles
from portal.models import AuditEvent, DocumentJob, ImportJob
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DonorFactory,
    DonorRepresentativeFactory,
    ItemFactory,
    PostFactory,
    ShiftFactory,
    SignupFactory,
    TaskFactory,
    VolunteerProfileFactory,
    add_lesson,
    add_notice,
    make_user,
)

ROLES = (
    "anonymous",
    "volunteer",
    "other_volunteer",
    "household",
    "other_donor_rep",
    "other_coordinator",
    "warehouse_keeper",
    "editor",
)

# --- which URL gets which record -------------------------------------------------------------
# URL name -> {argument: key of a record in the world (its pk is used), or a callable(world)}.
# Wagtail viewsets' per-object URLs (edit, delete, history, usage, inspect, copy) need no entry:
# their model's record in World.by_model is used.


def _slug(key):
    return lambda w: getattr(w, key).slug


def _const(value):
    return lambda w: value


FILL = {
    # public site
    "volunteers:shift": {"pk": "delivery_shift"},
    "volunteers:sign_up": {"pk": "delivery_shift"},
    "volunteers:withdraw": {"pk": "signup"},
    "volunteers:respond": {"pk": "invitation", "answer": _const("accept")},
    "volunteers:waitlist_join": {"pk": "delivery_shift"},
    "volunteers:waitlist_answer": {"pk": "waitlist_entry", "action": _const("leave")},
    "volunteers:swap_start": {"pk": "signup"},
    "volunteers:swap_answer": {"pk": "swap", "action": _const("cancel")},
    # a token is the key: a guessed one (the record's id, or a token of another kind) is refused
    "volunteers:calendar": {"token": lambda w: str(w.profile.pk)},
    "volunteers:waitlist_offer": {"token": lambda w: str(w.waitlist_entry.pk)},
    "volunteers:messages_opt_out": {"token": lambda w: str(w.profile.pk)},
    "volunteers:checkin": {"token": lambda w: w.certificate_token},
    "volunteers:verify": {"token": lambda w: w.post_token},
    # a draft project of community A: its organisers' only; a card token of another kind
    "volunteers:project": {"code": lambda w: w.draft_project.code},
    "volunteers:project_join": {"code": lambda w: w.draft_project.code},
    "volunteers:project_leave": {"code": lambda w: w.draft_project.code},
    "volunteers:project_qr": {"code": lambda w: w.draft_project.code},
    "volunteers:card_check": {"token": lambda w: w.post_token},
    "donations:donor_edit": {"pk": "donor"},
    "donations:pledge_new": {"donor_pk": "donor"},
    "donations:pledge_upload": {"donor_pk": "donor"},
    "donations:pledge": {"pk": "pledge"},
    "donations:pledge_cancel": {"pk": "pledge"},
    "donations:lot": {"pk": "lot"},
    "donations:receipt_pdf": {"pk": "receipt"},
    "donations:thank_you_pdf": {"pk": "receipt"},
    "donations:verify": {"token": lambda w: w.post_token},
    "donations:where_it_went": {"token": lambda w: w.post_token},
    "assistance:my_request": {"pk": "help_request"},
    "assistance:request": {"pk": "help_request"},
    "assistance:delivered": {"pk": "help_request"},
    "content:lesson_done": {"pk": "draft_lesson"},
    "content:lesson_quiz": {"pk": "draft_lesson"},
    "content:poster": {"slug": _slug("community")},
    "content:wagtailapi:pages:detail": {"pk": "draft_notice"},
    # the back office's own screens
    "volunteers_admin:review_profile": {"pk": "profile"},
    "volunteers_admin:shift_people": {"pk": "shift"},
    "volunteers_admin:shift_waitlist": {"pk": "shift"},
    "volunteers_admin:remove_signup": {"pk": "signup"},
    "volunteers_admin:correct_attendance": {"pk": "attendance"},
    "volunteers_admin:post_qr": {"pk": "post"},
    "volunteers_admin:team_members": {"pk": "team"},
    "volunteers_admin:project_task": {"pk": "draft_project"},
    "donations_admin:verify_donor": {"pk": "donor"},
    "donations_admin:receive": {"pk": "pledge"},
    "donations_admin:pledge_end": {"pk": "pledge"},
    "donations_admin:request": {"pk": "supply_request"},
    "donations_admin:release": {"pk": "allocation"},
    "donations_admin:dispatch_pdf": {"pk": "dispatch"},
    "donations_admin:confirm_receipt": {"pk": "dispatch"},
    "donations_admin:adjust": {"pk": "balance"},
    "donations_admin:return_to_donor": {"pk": "balance"},
    "donations_admin:donor_return_pdf": {"pk": "donor_return"},
    "donations_admin:recall": {"pk": "lot"},
    "donations_admin:stocktake": {"pk": "stocktake"},
    "donations:need_pledge": {"pk": "need"},
    "donations_admin:need_action": {"pk": "need", "action": lambda world: "submit"},
    "donations_admin:stocktake_pdf": {"pk": "stocktake"},
    "donations_admin:stocktake_xlsx": {"pk": "stocktake"},
    "donations:closing_letter": {"pk": "pledge"},
    "assistance_admin:request": {"pk": "help_request"},
    "volunteers_admin:shift_suggestions": {"pk": "shift"},
    "volunteers_admin:full_id_number": {"pk": "profile"},
    "volunteers_messages:detail": {"pk": "message_batch"},
    "volunteers_messages:push_notice": {"page_id": "urgent_notice"},
    # hours, star levels and service records (issue 14.3-14.5)
    "volunteers:dispute_hours": {"pk": "attendance"},
    "volunteers:star_certificate": {"pk": "star_application"},
    "volunteers:star_verify": {"token": lambda w: w.post_token},
    "volunteers_hours:shift_hours": {"pk": "shift"},
    "volunteers_records:service_proof": {"pk": "profile"},
    "donations:pledge_photo": {"pk": "pledge_line"},
    "portal_import_job": {"pk": "import_job"},
    "portal_document_job": {"pk": "document_job"},
    "portal_document_job_file": {"pk": "document_job"},
    "mfa_edit_webauthn": {"pk": "security_key"},
    "mfa_remove_webauthn": {"pk": "security_key"},
    # Wagtail's admin, with community A's section and its draft notice
    "wagtailadmin_explore": {"parent_page_id": "section"},
    "wagtailadmin_explore_results": {"parent_page_id": "section"},
    "wagtailadmin_pages:add": {
        "content_type_app_name": _const("content"),
        "content_type_model_name": _const("noticepage"),
        "parent_page_id": "section",
    },
    "wagtailadmin_pages:preview_on_add": {
        "content_type_app_name": _const("content"),
        "content_type_model_name": _const("noticepage"),
        "parent_page_id": "section",
    },
    "wagtailadmin_pages:add_subpage": {"parent_page_id": "section"},
    **{
        f"wagtailadmin_pages:{name}": {"page_id": "draft_notice"}
        for name in (
            "usage",
            "edit",
            "preview_on_edit",
            "view_draft",
            "delete",
            "unpublish",
            "convert_alias",
            "copy",
            "set_privacy",
            "lock",
            "unlock",
            "revisions_index",
            "workflow_history",
            "history",
            "history_results",
        )
    },
    "wagtailadmin_pages:move": {"page_to_move_id": "draft_notice"},
    "wagtailadmin_pages:set_page_position": {"page_to_move_id": "draft_notice"},
    "wagtailadmin_pages:move_confirm": {
        "page_to_move_id": "draft_notice",
        "destination_id": "section",
    },
    "wagtailadmin_pages:revisions_view": {"page_id": "draft_notice", "revision_id": "revision"},
    "wagtailadmin_pages:revisions_revert": {"page_id": "draft_notice", "revision_id": "revision"},
    "wagtailadmin_pages:revisions_unschedule": {
        "page_id": "draft_notice",
        "revision_id": "revision",
    },
    "wagtailadmin_pages:revisions_compare": {
        "pk": "draft_notice",
        "revision_id_a": _const("earliest"),
        "revision_id_b": _const("latest"),
    },
    "wagtailadmin_api:pages:detail": {"pk": "draft_notice"},
    "wagtailadmin_api:pages:action": {"pk": "draft_notice", "action_name": _const("copy")},
    "wagtailadmin_workflows:enable": {"pk": "workflow"},
    "wagtailadmin_workflows:remove": {"page_pk": "home", "workflow_pk": "workflow"},
    "wagtailadmin_workflows:add_task": {
        "app_label": _const("wagtailcore"),
        "model_name": _const("groupapprovaltask"),
    },
    "wagtailadmin_workflows:edit_task": {"pk": "workflow_task"},
    "wagtailadmin_workflows:disable_task": {"pk": "workflow_task"},
    "wagtailadmin_workflows:enable_task": {"pk": "workflow_task"},
    "wagtailadmin_collections:set_privacy": {"collection_id": "collection"},
    "wagtail_bulk_action": {
        "app_label": _const("volunteers"),
        "model_name": _const("volunteerprofile"),
        "action": _const("delete"),
    },
    "wagtailredirects:edit": {"redirect_id": "redirect"},
    "wagtailredirects:delete": {"redirect_id": "redirect"},
    "wagtaildocs:edit": {"document_id": "document"},
    "wagtaildocs:delete": {"document_id": "document"},
    "wagtaildocs:document_usage": {"document_id": "document"},
    "wagtaildocs:edit_multiple": {"doc_id": "document"},
    "wagtaildocs:delete_multiple": {"doc_id": "document"},
    "wagtaildocs_chooser:chosen": {"pk": "document"},
    **{
        f"wagtailimages:{name}": {"image_id": "image"}
        for name in (
            "edit",
            "delete",
            "url_generator",
            "url_generator_output",
            "image_usage",
            "edit_multiple",
            "delete_multiple",
        )
    },
    "wagtailimages:preview": {"image_id": "image", "filter_spec": _const("original")},
    "wagtailimages_chooser:chosen": {"pk": "image"},
    "wagtailimages_chooser:select_format": {"image_id": "image"},
    "wagtailforms:list_submissions": {"page_id": "draft_notice"},
    "wagtailforms:list_submissions_results": {"page_id": "draft_notice"},
    "wagtailforms:delete_submissions": {"page_id": "draft_notice"},
}

# Query strings some URLs need to do their work.
QUERY = {
    "wagtail_bulk_action": lambda w: {"id": w.profile.pk, "next": "/admin/"},
}

# URLs that take an argument but hold nothing a role could reach that it must not, and why.
EXCLUDED = {
    "volunteers:join": "public: a community's QR landing page (name and open places only)",
    "volunteers:team": "public: a team's page by its random code (name, counts, projects)",
    "volunteers:team_qr": "public: the QR poster of the team's public page",
    "volunteers:team_join": "public: asking to join (sign-in first); tests/volunteers/test_teams",
    "volunteers:team_leave": "the signed-in person's own membership only (test_teams)",
    "volunteers:join_form": "public: the sign-up form for a community, nothing of anyone's",
    "donations:donor_public": (
        "public: a donor that agreed to be named (the board's rule), counts per community and "
        "use only; any other donor answers 404 (tests/donations/test_donor_journey.py)"
    ),
    "content:wagtailapi:images:detail": "public: published site images (no private collections)",
    "content:wagtailapi:documents:detail": "public: published site documents",
    "wagtaildocs_serve": "public: site documents; Wagtail applies collection view restrictions",
    "wagtail_serve": "public pages; Wagtail serves only live pages and applies view restrictions",
    "wagtailcore_authenticate_with_password": "the password form of a restricted page (no data)",
    "wagtaildocs_authenticate_with_password": "the password form of a restricted document",
    "wagtailadmin_password_reset_confirm": "capability URL: Django's signed reset token",
    "account_reset_password_from_key": "capability URL: allauth's signed reset key",
    "wagtailadmin_tag_model_autocomplete": "names a model, not a record (tags are public)",
    "wagtailadmin_pages:type_use": "names a page type, lists pages the user may see",
    "wagtailadmin_pages:type_use_results": "names a page type, lists pages the user may see",
    "wagtailadmin_pages:choose_parent": "names a page type; parents are the user's own",
    "wagtailsettings:edit": "no settings model is registered",
    "wagtailsettings:preview_on_edit": "no settings model is registered",
    "wagtailadmin_api:images:detail": "site media, shared by all staff through Wagtail's choosers",
    "wagtailadmin_api:documents:detail": "site media, shared by all staff through the choosers",
    "wagtailadmin_choose_page_child": "Wagtail's page chooser lists page titles to all staff",
    "wagtailadmin_workflows:task_chosen": "a moderation task's name, for the workflow editor",
    "wagtailadmin_pages:confirm_workflow_cancellation": (
        "Wagtail answers 'no confirmation needed' unless a workflow runs (then a page title)"
    ),
    "wagtailadmin_pages:workflow_action": "needs a task state; Wagtail checks page permission",
    "wagtailadmin_pages:collect_workflow_action_data": "needs a task state, as above",
    "wagtailadmin_pages:workflow_preview": "needs a task state, as above",
    "wagtailadmin_pages:workflow_history_detail": "needs a workflow state, as above",
    "wagtailadmin_editing_sessions:ping": "POST only; Wagtail matches the session to its user",
    "wagtailadmin_editing_sessions:release": "POST only; Wagtail matches the session to its user",
    "wagtaildocs:create_multiple_from_uploaded_document": "an upload of the user's own",
    "wagtaildocs:delete_upload_multiple": "an upload of the user's own",
    "wagtailimages:create_multiple_from_uploaded_image": "an upload of the user's own",
    "wagtailimages:delete_upload_multiple": "an upload of the user's own",
    "communities:import_preview": "an import of the user's own (a token in their session)",
    "compounds:import_preview": "an import of the user's own (a token in their session)",
    "posts:import_preview": "an import of the user's own (a token in their session)",
    "volunteers_profiles:import_preview": "an import of the user's own (a token in their session)",
    "volunteers_attendance:import_preview": "an import of the user's own (token in session)",
    "donations_pledges:import_preview": "an import of the user's own (a token in their session)",
}

# Records a role may legitimately reach (so it is not asked to be refused them), and why.
ALLOWED = {
    # the warehouse keeper receives, stores and dispatches for every community and donor
    "warehouse_keeper": {
        "donations:lot",
        "donations:pledge",
        "donations:receipt_pdf",
        "donations:thank_you_pdf",
        "donations_admin:verify_donor",
        "donations_admin:receive",
        "donations_admin:pledge_end",
        "donations_admin:request",
        "donations_admin:release",
        "donations_admin:dispatch_pdf",
        "donations_admin:adjust",
        "donations_admin:return_to_donor",
        "donations_admin:donor_return_pdf",
        "donations_admin:recall",
        # the warehouse counts its own stores and approves counts (issue 15.4)
        "donations_admin:stocktake",
        "donations_admin:stocktake_pdf",
        "donations_admin:stocktake_xlsx",
        "donations.StockTake",
        # it supplies every community, so it reads their needs (drafts too) to plan stock
        "donations.Need",
        "donations.SafetyStock",
        "donations.Donor",
        "donations.Pledge",
        "donations.Receipt",
        "donations.Item",
        "donations.Location",
        "donations.Balance",
        "donations.Movement",
        "donations.SupplyRequest",
        "donations.Dispatch",
        "portal.Community",
        "portal.Compound",
        # stock flow to the communities; no household address is kept on it (point 1)
        "donations.Distribution",
    },
    # editors manage the site's images and documents (one shared collection)
    "editor": {
        "wagtailimages.Image",
        "wagtaildocs.Document",
    },
}
IMAGE_AND_DOCUMENT_URLS = {
    "wagtaildocs_chooser:chosen",
    "wagtailimages_chooser:chosen",
    "wagtailimages_chooser:select_format",
}

# Tables a GET may write, and why: the session (sign-in, messages), Wagtail's record of who has
# a page open (its concurrent-editing notice), its cache of resized images and the row of admin
# preferences it creates on a user's first visit.
IGNORED_TABLES = {
    # the audit trail records each look at personal data (an address, a whole ID number, an
    # export): a read, put on record by design; Wagtail's history gets a copy
    "portal_auditevent",
    "portal_auditevent_communities",
    "wagtailcore_modellogentry",
    "django_session",
    "wagtailadmin_editingsession",
    "wagtailimages_rendition",
    "wagtailusers_userprofile",
}


# --- the world: one record of each kind belonging to community A / donor A / volunteer A ------


@dataclass
class World:
    users: dict
    by_model: dict

    def __getattr__(self, name):
        try:
            return self.__dict__["records"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world():
    from content import services as content_services
    from content.demo import load_indexes
    from donations import services as donations
    from portal import demo, tokens
    from volunteers import services as volunteers
    from volunteers.views import CERTIFICATE_SIGNING_KIND, POST_SIGNING_KIND

    home = demo.load_site()
    notice_index, _course_index, _story_index = load_indexes(home)
    content_services.setup_editorial(home)
    community = CommunityFactory(name="民岳家园社区", slug="minyue-jiayuan")
    other = CommunityFactory(name="蔚园社区", slug="weiyuan")
    compound = CompoundFactory(community=community, name="民岳家园一区")
    post = PostFactory(compound=compound, name="北门")
    coordinator = make_user(roles.COORDINATOR, [community], username="coord_a")
    keeper = make_user(roles.WAREHOUSE, username="keeper")
    admin = make_user(roles.SUBDISTRICT_ADMIN, username="sdadmin")

    # volunteer A, their shift, attendance, certificate, an invitation
    volunteer_a = make_user(roles.VOLUNTEER, username="vol_a")
    profile = VolunteerProfileFactory(
        user=volunteer_a, real_name="李晓红", community=community, compound=compound
    )
    task = TaskFactory(community=community, compound=compound, post=post, title="北门值守")
    from volunteers.models import Attendance, ShiftTemplate

    template = ShiftTemplate.objects.create(
        task=task,
        weekdays=[0],
        time_ranges=[["07:00", "12:00"]],
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=7),
    )
    past_start = timezone.now() - timedelta(days=3)
    past = ShiftFactory(task=task, start=past_start, end=past_start + timedelta(hours=4))
    served = SignupFactory(shift=past, profile=profile)
    attendance = Attendance.objects.create(
        signup=served,
        check_in_at=past_start,
        check_out_at=past_start + timedelta(hours=4),
        status=Attendance.Status.CONFIRMED,
    )
    shift = ShiftFactory(task=task)
    signup = SignupFactory(shift=shift, profile=profile)
    later = ShiftFactory(task=task, start=shift.end + timedelta(days=1))
    later_end = later.start + timedelta(hours=3)
    type(later).objects.filter(pk=later.pk).update(end=later_end)
    invitation = volunteers.invite(later, profile, coordinator)
    certificate = volunteers.issue_certificate(
        profile, past_start.date() - timedelta(days=1), timezone.localdate()
    )

    # donor A: a pledge received, a lot, stock, a community request, dispatched and received
    masks = ItemFactory(name="医用外科口罩")
    donor = DonorFactory(name="北京公共交通控股(集团)有限公司")
    rep_a = make_user(roles.DONOR_REP, username="rep_a")
    DonorRepresentativeFactory(user=rep_a, donor=donor)
    from donations.models import Balance, Location

    warehouse = Location.objects.create(name="街道物资仓库", kind=Location.Kind.WAREHOUSE)
    pledge = donations.pledge(
        donor,
        [
            {
                "item": masks,
                "quantity": 500,
                "lot_number": "M-1",
                "expiry": datetime.date.today() + timedelta(days=300),
            }
        ],
        user=keeper,
    )
    receipt = donations.receive(
        pledge, warehouse, [{"pledge_line": pledge.lines.get(), "accepted": 500}], user=keeper
    )
    lot = receipt.lines.get().lot
    supply_request = donations.request_supplies(
        community, [(masks, 100)], purpose="居家隔离户", user=coordinator
    )
    allocations = donations.allocate(supply_request.lines.get(), user=keeper)
    dispatch = donations.dispatch(allocations, user=keeper)
    donations.confirm_receipt(dispatch, {}, user=coordinator)
    pending_request = donations.request_supplies(
        community, [(masks, 10)], purpose="卡口", user=coordinator
    )
    allocation = donations.allocate(pending_request.lines.get(), user=keeper)[0]
    balance = Balance.objects.filter(location=warehouse, lot=lot).get()
    from donations.models import Movement

    movement = Movement.objects.filter(lot=lot).first()
    from donations.services import recalls, safety_stock

    donor_return = recalls.return_to_donor(lot, warehouse, 1, user=keeper, reason="包装破损")
    level = safety_stock.set_level(community, masks, 5, user=coordinator)
    from donations.services import stocktake as stocktakes

    stocktake = stocktakes.start_stocktake(warehouse, user=keeper)
    # community A's need, a draft: nobody else sees it, nobody may pledge against it yet
    need = donations.create_need(
        coordinator,
        community=community,
        item=masks,
        quantity=100,
        urgency=1,
        needed_by=datetime.date.today() + timedelta(days=5),
        purpose="卡口值守",
    )

    # household A's help request, fulfilled from stock and given to volunteer A
    from assistance import services as assistance

    household_a = make_user(username="household_a", phone="13911112222")
    help_request = assistance.record_request(
        community=community,
        compound=compound,
        building="3号楼2单元501",
        contact_phone="13911112222",
        contact_name="张阿姨",
        lines=[(masks, 10)],
        need="牛奶",
        by=household_a,
        own=True,
    )
    distribution = assistance.fulfil_from_stock(help_request, by=coordinator)
    delivery_shift = assistance.delivery_shift(help_request, by=coordinator)
    assistance.assign_volunteer(help_request, profile, by=coordinator)

    # community A's section, a draft notice in it, a draft lesson
    section = content_services.setup_community_section(community, home)
    draft_notice = add_notice(section, title="民岳家园内部通知", publish=False)
    draft_notice.live = False
    draft_notice.save()
    revision = draft_notice.save_revision()
    from content.models import CourseIndexPage

    course_index = CourseIndexPage.objects.first()
    from tests.factories import add_course

    course = add_course(course_index)
    draft_lesson = add_lesson(course)
    type(draft_lesson).objects.filter(pk=draft_lesson.pk).update(live=False)

    from django.contrib.auth.models import Group
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.documents import get_document_model
    from wagtail.images.tests.utils import get_test_image_file
    from wagtail.models import Collection, Site, Workflow
    from wagtail.models import Task as WorkflowTask

    collection = Collection.get_first_root_node().add_child(name="民岳家园")
    image = __import__("wagtail.images", fromlist=["get_image_model"]).get_image_model()(
        title="北门", file=get_test_image_file(), collection=collection
    )
    image.save()
    document = get_document_model().objects.create(
        title="名单", file=get_test_image_file(filename="list.png"), collection=collection
    )

    # the roles that must not reach any of it
    other_volunteer = make_user(roles.VOLUNTEER, username="vol_b")
    VolunteerProfileFactory(user=other_volunteer, community=other)
    volunteer = make_user(roles.VOLUNTEER, username="vol_same")
    VolunteerProfileFactory(user=volunteer, community=community, compound=compound)
    household = make_user(username="household_b", phone="13911113333")
    other_rep = make_user(roles.DONOR_REP, username="rep_b")
    DonorRepresentativeFactory(user=other_rep, donor=DonorFactory(name="依文集团"))
    editor = make_user(roles.EDITOR, [other], username="editor_b")
    content_services.setup_community_section(other, home)

    from portal.models import StaffMembership
    from volunteers.models import MessageBatch, SwapOffer, WaitlistEntry

    # volunteer A waits for a full shift and hands a place on; coordinator A wrote to them
    waitlist_entry = WaitlistEntry.objects.create(
        shift=ShiftFactory(task=task, start=later.start + timedelta(days=2)), profile=profile
    )
    swap = SwapOffer.objects.create(
        signup=signup, receiver=VolunteerProfileFactory(community=community)
    )
    message_batch = MessageBatch.objects.create(
        community=community,
        sender=coordinator,
        audience_key=community.pk,
        audience_label=community.name,
        text="明早7点北门集合",
        recipient_count=1,
    )
    message_batch.recipients.create(profile=profile, status="sent")
    # an urgent notice for community A only, published
    urgent_notice = add_notice(
        section, title="民岳家园紧急通知", urgent=True, target_communities=[community]
    )

    records = {
        "community": community,
        "compound": compound,
        "post": post,
        "profile": profile,
        "task": task,
        "template": template,
        "shift": shift,
        "signup": signup,
        "invitation": invitation,
        "attendance": attendance,
        "certificate": certificate,
        "delivery_shift": delivery_shift,
        "donor": donor,
        "pledge": pledge,
        "receipt": receipt,
        "lot": lot,
        "item": masks,
        "location": warehouse,
        "balance": balance,
        "movement": movement,
        "supply_request": supply_request,
        "allocation": allocation,
        "donor_return": donor_return,
        "stocktake": stocktake,
        "need": need,
        "dispatch": dispatch,
        "distribution": distribution,
        "help_request": help_request,
        "home": home,
        "section": section,
        "draft_notice": draft_notice,
        "urgent_notice": urgent_notice,
        "waitlist_entry": waitlist_entry,
        "swap": swap,
        "message_batch": message_batch,
        "revision": revision,
        "draft_lesson": draft_lesson,
        "collection": collection,
        "image": image,
        "document": document,
        "workflow": Workflow.objects.first(),
        "workflow_task": WorkflowTask.objects.first(),
        "redirect": Redirect.objects.create(old_path="/minyue", redirect_link="/"),
        "certificate_token": tokens.sign(CERTIFICATE_SIGNING_KIND, post.pk),
        "post_token": tokens.sign(POST_SIGNING_KIND, certificate.serial),
        "pledge_line": pledge.lines.get(),
        # volunteer A's granted star level (issue 14.4)
        "star_application": __import__(
            "volunteers.models", fromlist=["StarApplication"]
        ).StarApplication.objects.create(
            profile=profile,
            community=community,
            level=1,
            minutes=6000,
            serial="XJSWEEP1",
            status="granted",
            granted_at=timezone.now(),
        ),
        # the subdistrict admin's own security key (allauth's MFA)
        # a background import of coordinator A's (portal.importexport.jobs): theirs alone
        "import_job": ImportJob.objects.create(
            user=coordinator,
            model_label="portal.compound",
            resource_path="portal.resources.CompoundResource",
            index_url="/admin/",
            upload_url="/admin/",
            language="zh-hans",
            filename="小区.xlsx",
            file_format="xlsx",
            rows_total=400,
        ),
        # certificates made on the worker for coordinator A (portal.document_jobs)
        "document_job": DocumentJob.objects.create(
            user=coordinator,
            community=community,
            kind="volunteers.certificates",
            params={"profile_ids": [profile.pk], "start": "2024-01-01", "end": "2024-01-31"},
            status=DocumentJob.Status.DONE,
            file=storages["private"].save("document-jobs/0/run-1.zip", ContentFile(b"PK")),
            filename="证明.zip",
            result={"model": "volunteers.certificate", "ids": [certificate.pk]},
        ),
        "security_key": Authenticator.objects.create(
            user=admin, type=Authenticator.Type.WEBAUTHN, data={"name": "钥匙", "credential": {}}
        ),
    }
    from django.apps import apps

    from volunteers.models import Project, ProjectMembership
    from volunteers.services import teams as team_services

    team = team_services.create_team(name="民岳家园服务队", community=community)
    team_membership = team_services.request_to_join(profile, team)
    draft_project = Project.objects.create(
        title="民岳家园卡口值守 草稿",
        community=community,
        team=team,
        start_date=timezone.localdate(),
        end_date=timezone.localdate() + timedelta(days=27),
        status=Project.Status.DRAFT,
    )
    project_membership = ProjectMembership.objects.create(project=draft_project, profile=profile)
    records.update(team=team, draft_project=draft_project)

    by_model = {
        "portal.Subdistrict": community.subdistrict,
        "portal.Community": community,
        "portal.Compound": compound,
        "portal.Post": post,
        "portal.StaffMembership": StaffMembership.objects.get(user=coordinator),
        "portal.User": volunteer_a,
        "volunteers.VolunteerProfile": profile,
        "volunteers.Task": task,
        "volunteers.ShiftTemplate": template,
        "volunteers.Shift": shift,
        "volunteers.Attendance": attendance,
        "volunteers.Skill": profile.skills.model.objects.order_by("pk").first(),
        "volunteers.Team": team,
        "volunteers.TeamMembership": team_membership,
        "volunteers.Project": draft_project,
        "volunteers.ProjectMembership": project_membership,
        "donations.Donor": donor,
        "donations.Pledge": pledge,
        "donations.Receipt": receipt,
        "donations.Item": masks,
        "donations.Location": warehouse,
        "donations.Balance": balance,
        "donations.Movement": movement,
        "donations.SupplyRequest": supply_request,
        "donations.Dispatch": dispatch,
        "donations.Distribution": distribution,
        "donations.SafetyStock": level,
        "donations.StockTake": stocktake,
        "donations.Need": need,
        "wagtailcore.Page": draft_notice,
        "wagtailcore.Collection": collection,
        "wagtailcore.Site": Site.objects.first(),
        "wagtailcore.Workflow": records["workflow"],
        "wagtailcore.Task": records["workflow_task"],
        "wagtailredirects.Redirect": records["redirect"],
        "wagtaildocs.Document": document,
        "wagtailimages.Image": image,
        "auth.Group": Group.objects.get(name=roles.COORDINATOR),
        # confirming attendance in community A is on record
        "portal.AuditEvent": AuditEvent.objects.filter(communities=community).first(),
    }
    assert all(apps.get_model(label) for label in by_model)
    users = {
        "anonymous": None,
        "volunteer": volunteer,
        "other_volunteer": other_volunteer,
        "household": household,
        "other_donor_rep": other_rep,
        "other_coordinator": make_user(roles.COORDINATOR, [other], username="coord_b"),
        "warehouse_keeper": keeper,
        "editor": editor,
        # the owners, for the "a GET never writes" sweep
        "subdistrict_admin": admin,
        "volunteer_a": volunteer_a,
        "household_a": household_a,
        "donor_rep_a": rep_a,
    }
    from allauth.account.models import EmailAddress

    # allauth keeps each address in its own table (sign-up does it; the factories do not)
    for user in users.values():
        if user is not None:
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    world = World(users=users, by_model=by_model)
    world.__dict__["records"] = records
    return world


# --- walking the resolver ----------------------------------------------------------------------


@dataclass
class Route:
    name: str
    pattern: str
    arguments: tuple
    model: str | None
    i18n: bool

    @property
    def key(self):
        return self.name or self.pattern


def _arguments(pattern):
    regex = pattern.regex
    return tuple(regex.groupindex) + (
        ("<positional>",) if regex.groups > len(regex.groupindex) else ()
    )


def _model_label(callback):
    model = getattr(callback, "view_initkwargs", {}).get("model")
    if model is None:
        model = getattr(getattr(callback, "view_class", None), "model", None)
    return getattr(getattr(model, "_meta", None), "label", None)


def walk(resolver=None, prefix="", namespace=None, i18n=False, arguments=(), every=False):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            space = namespace
            if entry.namespace:
                space = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from walk(
                entry,
                prefix + str(entry.pattern),
                space,
                i18n or isinstance(entry.pattern, LocalePrefixPattern),
                arguments + _arguments(entry.pattern),
                every,
            )
        elif isinstance(entry, URLPattern):
            args = arguments + _arguments(entry.pattern)
            if not args and not every:
                continue
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield Route(name, prefix + str(entry.pattern), args, _model_label(entry.callback), i18n)


def id_routes():
    return list(walk())


def _fill(route, world):
    """{argument: value} for this route, or None when the sweep does not know how."""
    if not route.arguments:
        return {}
    if route.key in FILL:
        spec = FILL[route.key]
        if not set(route.arguments) <= set(spec):
            return None
        values = {}
        for argument in route.arguments:
            how = spec[argument]
            values[argument] = how(world) if callable(how) else getattr(world, how).pk
        return values
    if route.arguments == ("pk",) and route.model in world.by_model:
        return {"pk": world.by_model[route.model].pk}
    return None


def _urls(route, values):
    languages = ("zh-hans", "en") if route.i18n else ("zh-hans",)
    urls = []
    for language in languages:
        with translation.override(language):
            urls.append(reverse(route.name, kwargs=values))
    return urls


# --- row counts --------------------------------------------------------------------------------


def _tables():
    return sorted(set(connection.introspection.django_table_names(only_existing=True)))


def row_counts(tables):
    qn = connection.ops.quote_name
    # table names come from Django's own introspection, never from input
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {qn(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


class RowCounter:
    """`counts()`: the rows in each of `tables`, as row_counts() gives them, counted again only
    where a row could have come or gone since the last count.

    Counting every table costs 30-45 ms on PostgreSQL (each of ~135 tables is opened) and ~10 ms
    on SQLite, twice for each of ~600 URLs: most of the sweep's time. Each database keeps a
    count of the rows this connection has written, in subtransactions rolled back too:
    PostgreSQL per table (pg_stat_xact_user_tables, this transaction's inserts and deletes, up
    to date after every statement), SQLite for the whole connection (sqlite3_total_changes:
    rows inserted, updated or deleted). A table whose count has not moved cannot have gained or
    lost a row, so it keeps the number counted before; the others (on SQLite, all of them) are
    counted again. A savepoint rolled back after a count takes rows away without moving a
    count, so everything is counted again whenever the open savepoints differ from the last
    count's (the sweep counts at one level, before and after each request)."""

    def __init__(self, tables):
        self.tables = tables
        self.incremental = connection.vendor == "sqlite" or (
            connection.vendor == "postgresql" and self._stats_counted()
        )
        self.known = row_counts(tables)
        self.activity = self._activity()
        self.savepoints = tuple(connection.savepoint_ids)

    @staticmethod
    def _stats_counted():
        with connection.cursor() as cursor:
            cursor.execute("SHOW track_counts")
            return cursor.fetchone()[0] == "on"

    def _activity(self):
        """What the database has counted of this connection's writes: {table: (inserted,
        deleted)} on PostgreSQL, {None: rows changed} on SQLite."""
        if not self.incremental:
            return {}
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            return {None: connection.connection.total_changes}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins, n_tup_del FROM pg_stat_xact_user_tables"
                " WHERE schemaname = current_schema()"
            )
            return {name: (ins, dele) for name, ins, dele in cursor.fetchall()}

    def counts(self):
        if not self.incremental:
            return row_counts(self.tables)
        activity = self._activity()
        savepoints = tuple(connection.savepoint_ids)
        if savepoints != self.savepoints or None in activity:
            # a savepoint rolled back since the last count takes its rows away without moving
            # any counter, and SQLite counts for no table in particular: count every table
            # again (on SQLite only when a row was written at all)
            moved = (
                self.tables if savepoints != self.savepoints or activity != self.activity else []
            )
            self.savepoints = savepoints
        else:
            moved = [t for t in self.tables if activity.get(t) != self.activity.get(t)]
        if moved:
            self.known.update(row_counts(moved))
        self.activity = activity
        return dict(self.known)


def _changed(before, after):
    return {t: (before[t], after[t]) for t in before if before[t] != after[t]}


@pytest.mark.django_db
def test_the_row_counter_sees_every_row_that_comes_or_goes():
    """The counter the sweep relies on: a row added, a row deleted, and a row added and deleted
    again inside a savepoint rolled back, on either database; and what it says is always what
    counting every table says (a save may write other tables too, such as Wagtail's reference
    index)."""
    from django.db import transaction

    from tests.factories import CommunityFactory

    CommunityFactory()
    rows = RowCounter([t for t in _tables() if t not in IGNORED_TABLES])
    first = rows.counts()
    communities = first["portal_community"]
    added = CommunityFactory()
    second = rows.counts()
    assert _changed(first, second)["portal_community"] == (communities, communities + 1)
    assert second == row_counts(rows.tables)
    added.delete()
    third = rows.counts()
    assert third["portal_community"] == communities
    assert third == row_counts(rows.tables)
    try:
        with transaction.atomic():
            CommunityFactory()
            assert rows.counts()["portal_community"] == communities + 1
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert rows.counts() == third == row_counts(rows.tables)


# --- what counts as refused --------------------------------------------------------------------

LOGIN_PATHS = ("/accounts/login/", "/en/accounts/login/", "/admin/login/")


# Wagtail's explorer sends someone outside their part of the page tree to their own part.
REDIRECT_AWAY = {"wagtailadmin_explore", "wagtailadmin_explore_results"}


def refused(response, client=None, route=None, url=None):
    """403, 404, a login page or Wagtail's permission-denied redirect to the dashboard; any
    other redirect is followed (once) and must lead to one of those."""
    if response.status_code in (403, 404):
        return True
    if response.status_code in (301, 302):
        target = response["Location"].split("?")[0]
        if target in LOGIN_PATHS or target == reverse("wagtailadmin_home"):
            return True
        if route is not None and route.key in REDIRECT_AWAY and not url.startswith(target):
            return True
        return client is not None and refused(client.get(response["Location"]))
    return False


def _allowed(role, route):
    allowed = ALLOWED.get(role, set())
    if route.key in allowed or (route.model and route.model in allowed):
        return True
    return role == "editor" and route.key in IMAGE_AND_DOCUMENT_URLS


def _notify_at_once(monkeypatch):
    monkeypatch.setattr("portal.notify.transaction", SimpleNamespace(on_commit=lambda fn: fn()))


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """The world is built once for the module's tests (on each worker that runs some), in a
    transaction rolled back after the last; each test runs in a savepoint inside it, so what one
    test's requests write is gone before the next."""
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as monkeypatch:
            _notify_at_once(monkeypatch)
            world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db, monkeypatch):
    _notify_at_once(monkeypatch)
    return _world


def test_every_id_taking_url_is_known(world):
    unknown = sorted(
        {f"{r.key}  ({r.pattern})" for r in id_routes() if r.key not in EXCLUDED}
        - {f"{r.key}  ({r.pattern})" for r in id_routes() if _fill(r, world) is not None}
    )
    assert not unknown, (
        "These URLs take an id the sweep does not know how to fill: add them to FILL (the "
        "record each argument takes) or EXCLUDED (with the reason):\n" + "\n".join(unknown)
    )
    keys = {r.key for r in id_routes()}
    stale = sorted((set(FILL) | set(EXCLUDED)) - keys)
    assert not stale, f"FILL/EXCLUDED name URLs that no longer exist: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_no_role_reaches_records_it_must_not(client, world, role):
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    rows = RowCounter([t for t in _tables() if t not in IGNORED_TABLES])
    failures = []
    for route in id_routes():
        if route.key in EXCLUDED or _allowed(role, route):
            continue
        values = _fill(route, world)
        query = QUERY.get(route.key, lambda w: {})(world)
        for url in _urls(route, values):
            before = rows.counts()
            try:
                response = client.get(url, query)
            except Exception as error:  # a 500: reported with the others
                failures.append(f"GET {url} raised {error!r}")
                continue
            writes = _changed(before, rows.counts())
            if writes:
                failures.append(f"GET {url} wrote {writes}")
            if response.status_code == 405:
                method = "POST"
                try:
                    response = client.post(url, query)
                except Exception as error:
                    failures.append(f"POST {url} raised {error!r}")
                    continue
            else:
                method = "GET"
            if not refused(response, client, route, url):
                location = response.get("Location", "")
                failures.append(f"{method} {url} -> {response.status_code} {location}")
    assert not failures, f"{role} reached what it must not:\n" + "\n".join(failures)


# --- a GET never writes, whoever asks -----------------------------------------------------------

# Query strings that make a page do its work (the certificate is issued for a period).
OWNER_QUERY = {
    **QUERY,
    "volunteers:certificate": lambda w: {
        "start": w.certificate.period_start.isoformat(),
        "end": (w.certificate.period_end + timedelta(days=1)).isoformat(),
    },
}


# URLs the "a GET never writes" sweep does not ask, and why.
NOT_ASKED = {
    "wagtailadmin_error_test": "raises on purpose (Wagtail's error-page test)",
}


def _owner(route):
    """Who may open this URL and see its record: the owner, or the subdistrict admin."""
    path = route.pattern
    if path.startswith(("admin/", "documents/")):
        return "subdistrict_admin"
    if route.key.startswith("donations:"):
        return "donor_rep_a"
    if route.key in ("assistance:my_request", "assistance:my_requests", "assistance:ask"):
        return "household_a"
    return "volunteer_a"


class LoggedIn:
    """The client logged in as one person, logging in again only when needed: another person, a
    session that no longer is theirs (a page logged them out), or a log-in older than a minute
    (a fresh one counts as just re-authenticated for the exports, tests/conftest.py)."""

    FRESH_FOR = 60  # seconds; allauth's ACCOUNT_REAUTHENTICATION_TIMEOUT is 300

    def __init__(self, client):
        self.client = client
        self.user = None
        self.at = 0.0

    def as_user(self, user):
        if (
            user != self.user
            or time.monotonic() - self.at > self.FRESH_FOR
            or self.client.session.get(SESSION_KEY) != str(user.pk)
        ):
            self.client.force_login(user)
            self.user, self.at = user, time.monotonic()


def test_a_get_never_writes(client, world):
    """Every URL (with or without an id), asked by someone who may see it: no row changes."""
    rows = RowCounter([t for t in _tables() if t not in IGNORED_TABLES])
    writes = []
    login = LoggedIn(client)
    for route in walk(every=True):
        if route.key in EXCLUDED or route.key in NOT_ASKED or route.name is None:
            continue
        values = _fill(route, world)
        if values is None:
            continue
        login.as_user(world.users[_owner(route)])
        query = OWNER_QUERY.get(route.key, lambda w: {})(world)
        for url in _urls(route, values):
            before = rows.counts()
            try:
                client.get(url, query)
            except Exception as error:  # a 500: reported with the others
                writes.append(f"GET {url} ({_owner(route)}) raised {error!r}")
                continue
            changed = _changed(before, rows.counts())
            if changed:
                writes.append(f"GET {url} ({_owner(route)}) wrote {changed}")
    assert not writes, "\n".join(writes)
