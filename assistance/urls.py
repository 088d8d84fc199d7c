from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "assistance"

urlpatterns = [
    # /assistance/ typed by hand (or cut from a link) lands on the form, not on a 404
    path("", RedirectView.as_view(pattern_name="assistance:ask"), name="index"),
    path("help/", views.ask_for_help, name="ask"),
    path("help/mine/", views.my_requests, name="my_requests"),
    path("help/mine/<int:pk>/", views.my_request, name="my_request"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/delivered/", views.delivered, name="delivered"),
    path("duty/", views.duty, name="duty"),
]
