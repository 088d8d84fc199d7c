"""Course completion: reading a lesson, quiz scoring against the course's pass mark, and the
questions the volunteers app asks."""

import pytest

from content import services
from content.models import CourseCompletion, LessonCompletion
from tests.factories import add_course, add_lesson, make_user, paragraph, question

QUIZ = [
    question("一般物体表面消毒，84消毒液与清水的配比是？", ["1:10", "1:100", "1:1000"], {1}),
    question("84消毒液可以和洁厕灵一起使用吗？", ["可以", "不可以"], {1}),
    question("配制时应注意哪些？", ["用冷水", "戴手套", "用热水"], {0, 1}),
    question("电梯按钮每天至少消毒几次？", ["一次", "两次"], {1}),
    question("消毒后作用多久再擦净？", ["5分钟", "30分钟"], {1}),
]


@pytest.fixture
def course(course_index):
    course = add_course(course_index, title="社区消杀", pass_mark=80)
    reading = add_lesson(course, title="个人防护", body=[paragraph("戴口罩和手套。")])
    quiz = add_lesson(course, title="84消毒液的配比", quiz=QUIZ)
    course.reading, course.quiz_lesson = reading, quiz
    return course


@pytest.fixture
def user(db):
    return make_user(username="learner")


def answers(lesson, chosen):
    """{block id: [choice indexes]} for the lesson's questions, in order."""
    return {
        block.id: [str(i) for i in picks] for block, picks in zip(lesson.quiz, chosen, strict=True)
    }


ALL_RIGHT = [[1], [1], [0, 1], [1], [1]]


def test_reading_a_lesson_without_quiz_completes_it(course, user):
    services.mark_lesson_done(user, course.reading)
    assert LessonCompletion.objects.filter(user=user, lesson=course.reading, score=None).exists()
    assert not services.has_completed(user, course)


def test_a_lesson_with_a_quiz_cannot_just_be_marked_read(course, user):
    with pytest.raises(services.CompletionError):
        services.mark_lesson_done(user, course.quiz_lesson)
    assert not LessonCompletion.objects.exists()


def test_anonymous_users_cannot_record_progress(course):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(services.CompletionError):
        services.mark_lesson_done(AnonymousUser(), course.reading)


def test_quiz_score_counts_exact_answers_only(course, user):
    # Q3 needs both 0 and 1: choosing only 0 is wrong. 4 of 5 right = 80%.
    chosen = [[1], [1], [0], [1], [1]]
    result = services.submit_quiz(user, course.quiz_lesson, answers(course.quiz_lesson, chosen))
    assert (result.right, result.total, result.score) == (4, 5, 80)
    assert result.passed  # exactly the pass mark passes


def test_below_the_pass_mark_records_nothing(course, user):
    chosen = [[0], [1], [0], [1], [1]]  # 3 of 5 = 60%
    result = services.submit_quiz(user, course.quiz_lesson, answers(course.quiz_lesson, chosen))
    assert result.score == 60 and not result.passed
    assert not LessonCompletion.objects.filter(user=user).exists()


def test_unanswered_questions_are_wrong(course, user):
    result = services.submit_quiz(user, course.quiz_lesson, {})
    assert result.score == 0 and not result.passed


def test_passing_the_last_lesson_completes_the_course_with_the_quiz_score(course, user):
    services.mark_lesson_done(user, course.reading)
    services.submit_quiz(user, course.quiz_lesson, answers(course.quiz_lesson, ALL_RIGHT))
    completion = CourseCompletion.objects.get(user=user, course=course)
    assert completion.score == 100
    assert services.has_completed(user, course)
    assert services.has_completed(user, course.pk)
    assert list(services.completed_courses(user)) == [course]
    assert not services.has_completed(make_user(username="other"), course)


def test_retaking_keeps_the_best_passing_score(course, user):
    lesson = course.quiz_lesson
    services.submit_quiz(user, lesson, answers(lesson, ALL_RIGHT))
    services.submit_quiz(user, lesson, answers(lesson, [[1], [1], [0], [1], [1]]))  # 80%
    assert LessonCompletion.objects.get(user=user, lesson=lesson).score == 100
    assert LessonCompletion.objects.filter(user=user).count() == 1


def test_the_pass_mark_is_per_course(course_index, user):
    strict = add_course(course_index, title="卡口值守", pass_mark=100)
    lesson = add_lesson(strict, quiz=QUIZ)
    result = services.submit_quiz(user, lesson, answers(lesson, [[1], [1], [0], [1], [1]]))
    assert result.score == 80 and not result.passed


def test_unpublished_lessons_do_not_block_course_completion(course, user):
    draft = add_lesson(course, title="草稿课")
    draft.unpublish()
    services.mark_lesson_done(user, course.reading)
    services.submit_quiz(user, course.quiz_lesson, answers(course.quiz_lesson, ALL_RIGHT))
    assert services.has_completed(user, course)
