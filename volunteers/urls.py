from django.urls import path

from portal import views as portal_views

from . import views

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
