from django.urls import path

from . import views

app_name = "assistance"

urlpatterns = [
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/delivered/", views.delivered, name="delivered"),
]
