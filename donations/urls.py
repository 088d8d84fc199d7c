from django.urls import path

from . import closing_views, needs_views, views

app_name = "donations"

urlpatterns = [
    path("", views.index, name="index"),
    path("board/", views.board, name="board"),
    path("needs/", needs_views.needs, name="needs"),
    path("needs/<int:pk>/pledge/", needs_views.need_pledge, name="need_pledge"),
    path("donor/register/", views.donor_register, name="donor_register"),
    path("donor/<int:pk>/edit/", views.donor_edit, name="donor_edit"),
    path("mine/", views.mine, name="mine"),
    path("donor/<int:donor_pk>/pledge/", views.pledge_new, name="pledge_new"),
    path("donor/<int:donor_pk>/pledge/upload/", views.pledge_upload, name="pledge_upload"),
    path("pledges/<int:pk>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pk>/cancel/", views.pledge_cancel, name="pledge_cancel"),
    path("pledge-lines/<int:pk>/photo/", views.pledge_photo, name="pledge_photo"),
    path("lots/<int:pk>/", views.lot_detail, name="lot"),
    path("receipts/<int:pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:pk>/thank-you.pdf", views.thank_you_pdf, name="thank_you_pdf"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("where/<str:token>/", views.where_it_went, name="where_it_went"),
    path("donors/<int:pk>/", views.donor_public, name="donor_public"),
    path(
        "pledges/<int:pk>/closing-letter.pdf",
        closing_views.closing_letter,
        name="closing_letter",
    ),
]
