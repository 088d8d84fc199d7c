from django.urls import path

from portal.accounts import views

# Included under /accounts/ before allauth's own URLs.
urlpatterns = [
    path("signup/email/", views.signup_email, name="account_signup_email"),
]
