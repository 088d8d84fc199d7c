"""Content URLs outside the page tree; included before Wagtail's page URLs, so these paths
win over any page slug."""

from django.urls import include, path

from content import feeds, views
from content.api import api_router

app_name = "content"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("my-courses/", views.my_courses, name="my_courses"),
    path("lessons/<int:pk>/done/", views.lesson_done, name="lesson_done"),
    path("lessons/<int:pk>/quiz/", views.lesson_quiz, name="lesson_quiz"),
    path("posters/<slug:slug>.pdf", views.poster, name="poster"),
    path("feeds/notices.rss", feeds.NoticesFeed(), name="notices_rss"),
    path("feeds/notices.atom", feeds.NoticesAtomFeed(), name="notices_atom"),
    path("api/v2/", include((api_router.get_urlpatterns(), "wagtailapi"), namespace="wagtailapi")),
]
