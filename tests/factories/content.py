"""Builders for content pages (Wagtail pages are added to the tree, not just saved) and
completion records."""

import itertools

from factory.django import DjangoModelFactory

from content.models import (
    CourseCompletion,
    CoursePage,
    LessonCompletion,
    LessonPage,
    NoticePage,
    StoryPage,
)

__all__ = [
    "CourseCompletionFactory",
    "LessonCompletionFactory",
    "add_course",
    "add_lesson",
    "add_notice",
    "add_story",
    "paragraph",
    "question",
]

_counter = itertools.count(1)


def _add(parent, model, *, publish=True, **fields):
    """Add a page under `parent`; publish a revision (as the admin does) unless publish=False,
    in which case the page is saved live without revisions (fast, for volume)."""
    number = next(_counter)
    fields.setdefault("title", f"{model._meta.verbose_name} {number}")
    fields.setdefault("slug", f"{model.__name__.lower()}-{number}")
    targets = fields.pop("target_communities", None)
    page = model(**fields)
    if targets is not None:
        page.target_communities = targets
    if publish:
        parent.add_child(instance=page)
        page.save_revision().publish()
    else:
        page.live = True
        parent.add_child(instance=page)
    return page


def add_notice(parent, **fields):
    return _add(parent, NoticePage, **fields)


def add_story(parent, **fields):
    return _add(parent, StoryPage, **fields)


def add_course(parent, **fields):
    return _add(parent, CoursePage, **fields)


def add_lesson(course, **fields):
    return _add(course, LessonPage, **fields)


def question(text, choices, correct, explanation=""):
    """A quiz question in StreamField raw form: `correct` is a set of choice indexes."""
    return {
        "type": "question",
        "value": {
            "question": text,
            "choices": [{"text": c, "correct": i in correct} for i, c in enumerate(choices)],
            "explanation": explanation,
        },
    }


def paragraph(text):
    return {"type": "paragraph_block", "value": f"<p>{text}</p>"}


class LessonCompletionFactory(DjangoModelFactory):
    class Meta:
        model = LessonCompletion


class CourseCompletionFactory(DjangoModelFactory):
    class Meta:
        model = CourseCompletion

    score = None
