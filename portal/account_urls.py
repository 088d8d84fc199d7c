from django.urls import path

from portal import views

urlpatterns = [
    path("", views.my_account, name="my_account"),
    path("data/", views.my_data, name="my_data"),
    path("delete/", views.delete_account, name="delete_account"),
]
