"""Prevention courses (防疫课堂): a CoursePage is made of LessonPages; a volunteer completes a
lesson by marking it read or, when it has a quiz, by passing the quiz with at least the
course's pass mark. Completing every lesson completes the course (content.services), which is
what the volunteers app asks about (`has_completed(user, course)`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index

from content.blocks import BaseStreamBlock, QuizBlock
from content.cache import private_q as cached_private_q
from portal.bounds import MAX_LESSON_MINUTES, MAX_SCORE, MAX_SORT_ORDER, max_value

from .mixins import IndexPage, ListingFieldsMixin, SearchTextMixin, paginate


class CourseQuerySet(PageQuerySet):
    def private_q(self):
        return cached_private_q()  # public() without a query of its own (content/cache.py)

    def listing(self):
        return (
            self.live()
            .public()
            .select_related("listing_image")
            .prefetch_related("listing_image__renditions")
            .order_by("-first_published_at", "-pk")
        )


class CourseIndexPage(IndexPage):
    """防疫课堂: every live course, newest first."""

    heading_label = _("Prevention courses")
    subpage_types = ["content.CoursePage"]

    class Meta:
        verbose_name = _("course index")
        verbose_name_plural = _("course indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = paginate(request, CoursePage.objects.listing())
        return context


class CoursePage(SearchTextMixin, ListingFieldsMixin, Page):
    """A course: an introduction, its lessons (children, in tree order) and a pass mark that
    every lesson quiz in it uses."""

    intro = StreamField(BaseStreamBlock(), verbose_name=_("introduction"), blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MaxValueValidator(100)],
        help_text=_("The share of quiz questions a volunteer must answer right."),
    )

    objects = PageManager.from_queryset(CourseQuerySet)()

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("listing_image"),
        FieldPanel("intro"),
        FieldPanel("pass_mark"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("intro")]
    search_text_fields = ("title", "summary", "intro")
    api_fields = [APIField("summary"), APIField("intro"), APIField("pass_mark")]
    parent_page_types = ["content.CourseIndexPage"]
    subpage_types = ["content.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().public().order_by("path")

    def get_context(self, request, *args, **kwargs):
        from content import services

        context = super().get_context(request, *args, **kwargs)
        lessons = list(self.lessons())
        done = services.completed_lesson_ids(request.user, lessons)
        context["lessons"] = [(lesson, lesson.pk in done) for lesson in lessons]
        context["total_minutes"] = sum(lesson.estimated_minutes for lesson in lessons)
        context["completion"] = services.course_completion(request.user, self)
        return context


class LessonPage(SearchTextMixin, Page):
    """A lesson: text, images and video in `body`, materials to download, and an optional quiz
    (questions with choices, edited in the admin)."""

    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=5, validators=[max_value(MAX_LESSON_MINUTES)]
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("body"), blank=True)
    quiz = StreamField(
        QuizBlock(),
        verbose_name=_("quiz"),
        blank=True,
        help_text=_("Optional. With a quiz, the lesson is completed by passing it."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
        InlinePanel("materials", label=_("Materials to download")),
        FieldPanel("quiz"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    search_text_fields = ("title", "search_description", "body")
    # Not `quiz`: the API would give away the answers.
    api_fields = [APIField("estimated_minutes"), APIField("body")]
    parent_page_types = ["content.CoursePage"]
    subpage_types: list = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def has_quiz(self):
        return len(self.quiz) > 0

    def quiz_questions(self, answers=None, result=None):
        """The quiz as the form shows it: each question with its choices, which ones the user
        ticked and, once marked, the question's result."""
        answers = answers or {}
        results = {question.block_id: question for question in result.questions} if result else {}
        questions = []
        for block in self.quiz:
            choices = block.value["choices"]
            chosen = answers.get(block.id, set())
            questions.append(
                {
                    "id": block.id,
                    "text": block.value["question"],
                    "multiple": sum(1 for choice in choices if choice["correct"]) > 1,
                    "choices": [
                        {"index": index, "text": choice["text"], "checked": index in chosen}
                        for index, choice in enumerate(choices)
                    ],
                    "result": results.get(block.id),
                }
            )
        return questions

    def get_context(self, request, *args, **kwargs):
        from content import services

        context = super().get_context(request, *args, **kwargs)
        course = self.get_parent().specific
        context["course"] = course
        context["materials"] = self.materials.select_related("document")
        context["done"] = bool(services.completed_lesson_ids(request.user, [self]))
        context["quiz_questions"] = self.quiz_questions()
        context["next_lesson"] = self.get_next_siblings().type(LessonPage).live().public().first()
        return context


class LessonMaterial(Orderable):
    """A document to download with a lesson (a dilution chart, a checklist)."""

    page = ParentalKey(LessonPage, on_delete=models.CASCADE, related_name="materials")
    sort_order = models.IntegerField(
        null=True, blank=True, editable=False, validators=[max_value(MAX_SORT_ORDER)]
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("document"),
    )
    title = models.CharField(_("link text"), max_length=100, blank=True)

    panels = [FieldPanel("document"), FieldPanel("title")]

    class Meta(Orderable.Meta):
        verbose_name = _("material")
        verbose_name_plural = _("materials")


class LessonCompletion(models.Model):
    """A user completed a lesson: by reading it (score empty) or by passing its quiz (score in
    percent, the best passing attempt). Written only by content.services."""

    owner_lookup = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="lesson_completions",
        verbose_name=_("user"),
    )
    lesson = models.ForeignKey(
        LessonPage,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("lesson"),
    )
    score = models.PositiveSmallIntegerField(
        _("score (%)"), null=True, blank=True, validators=[max_value(MAX_SCORE)]
    )
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson completion")
        verbose_name_plural = _("lesson completions")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="unique_lesson_completion"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100),
                name="lesson_score_is_percent",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.lesson}"


class CourseCompletion(models.Model):
    """A user completed every lesson of a course; `score` is the mean of their quiz scores
    (empty when the course has no quiz). Written only by content.services."""

    owner_lookup = "user"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="course_completions",
        verbose_name=_("user"),
    )
    course = models.ForeignKey(
        CoursePage,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("course"),
    )
    score = models.PositiveSmallIntegerField(
        _("score (%)"), null=True, blank=True, validators=[max_value(MAX_SCORE)]
    )
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")
        ordering = ["-completed_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "course"], name="unique_course_completion"),
        ]

    def __str__(self):
        return f"{self.user} · {self.course}"
