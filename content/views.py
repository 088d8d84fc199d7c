"""Public views outside the page tree: search, lesson completion, my courses, posters."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from wagtail.models import Page

from content import services
from content.models import CourseCompletion, LessonCompletion, LessonPage
from content.models.mixins import paginate
from content.search import (
    MAX_QUERY_LENGTH,
    body_text,
    highlight,
    mark_terms,
    search_pages,
    terms_of,
)
from portal import roles
from portal.links import site_url
from portal.models import Community
from portal.pdf import pdf_response, render_pdf
from portal.qr import qr_svg

SEARCH_PAGE_SIZE = 10


def search(request):
    # Bounded: the query is echoed in the title, the box and the count line.
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH].strip()
    results = None
    if terms_of(query):
        results = paginate(request, search_pages(query), SEARCH_PAGE_SIZE)
        ids = [page.pk for page in results.object_list]
        pages = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
        results.hits = [
            {
                "page": pages[pk],
                "title": mark_terms(pages[pk].title, query),
                "excerpt": highlight(body_text(pages[pk]), query),
                "kind": pages[pk]._meta.verbose_name,
            }
            for pk in ids
            if pk in pages
        ]
    return render(
        request,
        "content/search.html",
        {"query": query, "results": results, "max_length": MAX_QUERY_LENGTH},
    )


def _live_lesson(pk):
    return get_object_or_404(LessonPage.objects.live().public(), pk=pk)


@require_POST
def lesson_done(request, pk):
    lesson = _live_lesson(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson.url)
    try:
        services.mark_lesson_done(request.user, lesson)
    except services.CompletionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _done_message(request.user, lesson))
    return redirect(lesson.url)


@require_POST
def lesson_quiz(request, pk):
    lesson = _live_lesson(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(lesson.url)
    answers = {block.id: request.POST.getlist(f"q-{block.id}") for block in lesson.quiz}
    try:
        result = services.submit_quiz(request.user, lesson, answers)
    except services.CompletionError as error:
        messages.error(request, error.message)
        return redirect(lesson.url)
    if result.passed:
        messages.success(request, _done_message(request.user, lesson))
    context = lesson.get_context(request)
    chosen = {
        key: {int(v) for v in values if v.isascii() and v.isdigit() and len(v) < 6}
        for key, values in answers.items()
    }
    context["quiz_result"] = result
    context["quiz_questions"] = lesson.quiz_questions(chosen, result)
    return render(request, lesson.get_template(request), context)


def _done_message(user, lesson):
    from django.utils.translation import gettext as _

    course = lesson.get_parent()
    if services.has_completed(user, course.pk):
        return _("Well done: you completed the course “%(course)s”.") % {"course": course.title}
    return _("Lesson completed.")


@login_required
def my_courses(request):
    completions = (
        CourseCompletion.objects.filter(user=request.user, course__live=True)
        .select_related("course")
        .order_by("-completed_at")
    )
    lessons = (
        LessonCompletion.objects.filter(user=request.user, lesson__live=True)
        .select_related("lesson")
        .order_by("-completed_at")[:20]
    )
    notices = services.notices_for_user(request.user)[:10]
    return render(
        request,
        "content/my_courses.html",
        {
            "completions": completions,
            "lesson_completions": lessons,
            "notices": notices,
        },
    )


def can_print_poster(user, community):
    """Subdistrict admins, and coordinators or editors who serve the community."""
    if not user.is_authenticated:
        return False
    if roles.is_subdistrict_admin(user):
        return True
    from portal.scoping import community_ids

    return roles.has_role(user, roles.COORDINATOR, roles.EDITOR) and (
        community.pk in community_ids(user)
    )


def join_url(community):
    """The community's volunteer sign-up link."""
    return site_url("volunteers:join", community.slug)


def poster(request, slug):
    community = get_object_or_404(Community, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_print_poster(request.user, community):
        raise Http404
    url = join_url(community)
    result = render_pdf(
        "content/pdf/poster.html",
        {
            "community": community,
            "url": url,
            "qr": qr_svg(url, omitsize=True),
            "subdistrict_name": community.subdistrict.name,
            "document_title": "志愿者招募",
        },
        f"{community.slug}-volunteer-poster.pdf",
        language="zh-hans",
    )
    return pdf_response(result, inline=True)
