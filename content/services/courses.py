"""Course completion: marking lessons read, marking quizzes, and what the volunteers app asks
(`has_completed(user, course)`, `completed_courses(user)`)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg
from django.utils.translation import gettext_lazy as _

from content.models import CourseCompletion, CoursePage, LessonCompletion, LessonPage


class CompletionError(ValidationError):
    """A completion that cannot be recorded; the message is shown to the user as is."""


@dataclass
class QuestionResult:
    block_id: str
    question: str
    chosen: set
    correct: set
    explanation: str = ""

    @property
    def is_right(self):
        return self.chosen == self.correct


@dataclass
class QuizResult:
    pass_mark: int
    questions: list = field(default_factory=list)

    @property
    def total(self):
        return len(self.questions)

    @property
    def right(self):
        return sum(1 for question in self.questions if question.is_right)

    @property
    def score(self):
        """Percent of questions answered right, rounded down (so 79.9 never passes 80)."""
        return (100 * self.right) // self.total if self.total else 0

    @property
    def passed(self):
        return self.total > 0 and self.score >= self.pass_mark


def _check_user(user):
    if not user.is_authenticated:
        raise CompletionError(_("Log in to record your progress."))


def _course_of(lesson):
    return CoursePage.objects.get(pk=lesson.get_parent().pk)


def score_quiz(lesson, answers, pass_mark):
    """Mark `answers` ({question block id: iterable of chosen choice indexes}) against the
    lesson's quiz. A question is right when exactly its correct choices were chosen; an
    unanswered question is wrong."""
    result = QuizResult(pass_mark=pass_mark)
    for block in lesson.quiz:
        value = block.value
        correct = {index for index, choice in enumerate(value["choices"]) if choice["correct"]}
        chosen = set()
        for raw in answers.get(block.id, ()):
            try:
                chosen.add(int(raw))
            except (TypeError, ValueError):
                continue
        result.questions.append(
            QuestionResult(
                block_id=block.id,
                question=value["question"],
                chosen=chosen,
                correct=correct,
                explanation=value.get("explanation", ""),
            )
        )
    return result


def mark_lesson_done(user, lesson):
    """Record that `user` read `lesson` (a lesson with a quiz is completed by passing it)."""
    _check_user(user)
    if lesson.has_quiz:
        raise CompletionError(_("This lesson is completed by passing its quiz."))
    if not lesson.live:
        raise CompletionError(_("This lesson is not published."))
    course = _course_of(lesson)
    with transaction.atomic():
        completion, _created = LessonCompletion.objects.get_or_create(user=user, lesson=lesson)
        _complete_course_if_done(user, course)
    return completion


def submit_quiz(user, lesson, answers):
    """Mark the quiz; when it passes, record (or improve) the lesson's completion and, if it
    was the last lesson, the course's. Returns the QuizResult either way."""
    _check_user(user)
    if not lesson.has_quiz:
        raise CompletionError(_("This lesson has no quiz."))
    course = _course_of(lesson)
    result = score_quiz(lesson, answers, course.pass_mark)
    if not result.passed:
        return result
    with transaction.atomic():
        completion, created = LessonCompletion.objects.get_or_create(
            user=user, lesson=lesson, defaults={"score": result.score}
        )
        if not created:
            # Keep the best score; a conditional update, never read-compare-save.
            from django.db.models import Q

            LessonCompletion.objects.filter(
                Q(score__isnull=True) | Q(score__lt=result.score), pk=completion.pk
            ).update(score=result.score)
        _complete_course_if_done(user, course)
    return result


def _complete_course_if_done(user, course):
    lesson_ids = set(course.lessons().values_list("pk", flat=True))
    if not lesson_ids:
        return None
    completions = LessonCompletion.objects.filter(user=user, lesson_id__in=lesson_ids)
    if completions.count() < len(lesson_ids):
        return None
    score = completions.filter(score__isnull=False).aggregate(mean=Avg("score"))["mean"]
    score = int(score) if score is not None else None
    completion, created = CourseCompletion.objects.get_or_create(
        user=user, course=course, defaults={"score": score}
    )
    if not created and score is not None and (completion.score or 0) < score:
        CourseCompletion.objects.filter(pk=completion.pk).update(score=score)
    return completion


def completed_lesson_ids(user, lessons):
    """The ids among `lessons` that `user` has completed (empty for anonymous users)."""
    if not user.is_authenticated:
        return set()
    ids = [lesson.pk for lesson in lessons]
    return set(
        LessonCompletion.objects.filter(user=user, lesson_id__in=ids).values_list(
            "lesson_id", flat=True
        )
    )


def course_completion(user, course):
    if not user.is_authenticated:
        return None
    return CourseCompletion.objects.filter(user=user, course=course).first()


def has_completed(user, course):
    """True when `user` completed `course` (a CoursePage or its id). For the volunteers app:
    a task that needs a course asks this before a sign-up."""
    if user is None or not user.is_authenticated:
        return False
    course_id = course.pk if isinstance(course, CoursePage) else course
    return CourseCompletion.objects.filter(user=user, course_id=course_id).exists()


def completed_courses(user):
    """The live courses `user` completed, as a CoursePage queryset."""
    if user is None or not user.is_authenticated:
        return CoursePage.objects.none()
    return CoursePage.objects.live().filter(completions__user=user).distinct()


__all__ = [
    "CompletionError",
    "LessonPage",
    "QuizResult",
    "completed_courses",
    "completed_lesson_ids",
    "course_completion",
    "has_completed",
    "mark_lesson_done",
    "score_quiz",
    "submit_quiz",
]
