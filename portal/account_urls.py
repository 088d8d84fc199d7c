from django.urls import path

from portal import views

urlpatterns = [
    path("", views.my_account, name="my_account"),
]
