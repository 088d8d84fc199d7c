"""What the prevention courses hold about a learner (see portal.personal_data). Completions
are deleted with the account (their foreign key cascades): nothing else depends on them."""

from django.utils.translation import gettext as _

from portal.personal_data import Section

from .models import CourseCompletion, LessonCompletion


def sections(user):
    courses = Section(
        "courses", _("Courses completed"), [_("Course"), _("Score (%)"), _("Completed at")]
    )
    for row in CourseCompletion.objects.filter(user=user).select_related("course"):
        courses.rows.append([row.course.title, row.score, row.completed_at])
    lessons = Section(
        "lessons", _("Lessons completed"), [_("Lesson"), _("Score (%)"), _("Completed at")]
    )
    for row in LessonCompletion.objects.filter(user=user).select_related("lesson"):
        lessons.rows.append([row.lesson.title, row.score, row.completed_at])
    return [courses, lessons]
