"""`{% community_projects community %}`: the volunteer projects a community page lists (content
shows them without importing volunteers)."""

from django import template

register = template.Library()


@register.inclusion_tag("volunteers/teams/_community_projects.html")
def community_projects(community):
    from volunteers.teams_views import community_projects as projects

    return {"projects": list(projects(community)[:10]) if community is not None else []}
