from django.urls import path

from portal import views as portal_views

from . import messages_views, teams_views, views, waitlist_views

app_name = "volunteers"

urlpatterns = [
    path("", views.index, name="index"),
    path("join/<slug:slug>/", views.join, name="join"),
    path("join/<slug:slug>/form/", views.join_form, name="join_form"),
    path("submitted/", views.submitted, name="submitted"),
    path("profile/", views.edit_profile, name="profile"),
    path("shifts/", views.shifts, name="shifts"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift"),
    path("shifts/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
    path("signups/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("signups/<int:pk>/<str:answer>/", views.respond_invitation, name="respond"),
    path("me/", views.my_page, name="my_page"),
    path("me/certificate/", views.certificate, name="certificate"),
    path("me/delete/", portal_views.delete_account, name="delete_account"),
    path("calendar/<str:token>.ics", views.calendar, name="calendar"),
    path("checkin/<str:token>/", views.checkin, name="checkin"),
    path("certificates/verify/<str:token>/", views.verify_certificate, name="verify"),
    # waiting lists and handovers (volunteers/waitlist_views.py)
    path("shifts/<int:pk>/waitlist/", waitlist_views.join, name="waitlist_join"),
    path("waitlist/<int:pk>/<str:action>/", waitlist_views.answer, name="waitlist_answer"),
    path("offer/<str:token>/", waitlist_views.offer, name="waitlist_offer"),
    path("hand-over/<int:pk>/", waitlist_views.swap_start, name="swap_start"),
    path("handovers/<int:pk>/<str:action>/", waitlist_views.swap_answer, name="swap_answer"),
    # messages from coordinators and team leaders (volunteers/messages_views.py)
    path("messages/only-urgent/<str:token>/", messages_views.opt_out, name="messages_opt_out"),
    path("me/messages/", messages_views.own_setting, name="messages_setting"),
    # teams, projects and the e-card (volunteers.teams_views)
    path("teams/propose/", teams_views.team_propose, name="team_propose"),
    path("teams/<slug:code>/", teams_views.team_page, name="team"),
    path("teams/<slug:code>/join/", teams_views.team_join, name="team_join"),
    path("teams/<slug:code>/leave/", teams_views.team_leave, name="team_leave"),
    path("teams/<slug:code>/qr/", teams_views.team_qr, name="team_qr"),
    path("projects/<slug:code>/", teams_views.project_page, name="project"),
    path("projects/<slug:code>/join/", teams_views.project_join, name="project_join"),
    path("projects/<slug:code>/leave/", teams_views.project_leave, name="project_leave"),
    path("projects/<slug:code>/qr/", teams_views.project_qr, name="project_qr"),
    path("me/card/", teams_views.my_card, name="card"),
    path("me/card/reissue/", teams_views.reissue_card, name="card_reissue"),
    path("card/<str:token>/", teams_views.card_check, name="card_check"),
]

# Hours and star levels (issue 14.3, 14.4)
from . import hours_views  # noqa: E402

urlpatterns += [
    path("me/hours/<int:pk>/dispute/", hours_views.dispute_hours, name="dispute_hours"),
    path("me/stars/", hours_views.my_stars, name="my_stars"),
    path("me/stars/<int:pk>/certificate/", hours_views.star_certificate, name="star_certificate"),
    path("stars/notice/", hours_views.star_notice, name="star_notice"),
    path("stars/verify/<str:token>/", hours_views.star_verify, name="star_verify"),
]
