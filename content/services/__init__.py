"""Content operations: course completion (courses.py) and community sections, editor
permissions and the moderation workflow (sections.py)."""

from .courses import (
    CompletionError,
    QuizResult,
    completed_courses,
    completed_lesson_ids,
    course_completion,
    has_completed,
    mark_lesson_done,
    score_quiz,
    submit_quiz,
)
from .sections import (
    MODERATION_WORKFLOW,
    SUBDISTRICT_EDITORS,
    community_editor_group_name,
    notices_for_user,
    setup_community_section,
    setup_editorial,
    sync_community_editors,
)

__all__ = [
    "MODERATION_WORKFLOW",
    "SUBDISTRICT_EDITORS",
    "CompletionError",
    "QuizResult",
    "community_editor_group_name",
    "completed_courses",
    "completed_lesson_ids",
    "course_completion",
    "has_completed",
    "mark_lesson_done",
    "notices_for_user",
    "score_quiz",
    "setup_community_section",
    "setup_editorial",
    "submit_quiz",
    "sync_community_editors",
]
