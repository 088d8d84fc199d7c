"""Content models: pages (pages.py, courses.py), shared page fields (mixins.py) and course
completion records (courses.py)."""

from .courses import (
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    LessonCompletion,
    LessonMaterial,
    LessonPage,
)
from .pages import (
    CommunityIndexPage,
    CommunitySectionPage,
    HomePage,
    NoticeAttachment,
    NoticeIndexPage,
    NoticePage,
    StoryIndexPage,
    StoryPage,
    home_sections,
    index_links,
    index_pages,
)

__all__ = [
    "CommunityIndexPage",
    "CommunitySectionPage",
    "CourseCompletion",
    "CourseIndexPage",
    "CoursePage",
    "HomePage",
    "LessonCompletion",
    "LessonMaterial",
    "LessonPage",
    "NoticeAttachment",
    "NoticeIndexPage",
    "NoticePage",
    "StoryIndexPage",
    "StoryPage",
    "home_sections",
    "index_links",
    "index_pages",
]
