"""``{% load desk_checklist %}``: the pre-publish checklist grouped by kind (see ``articles.desk.checklist``)."""

from django import template

from ..desk.checklist import issue_groups

register = template.Library()


@register.filter(name="issue_groups")
def issue_groups_filter(issues, article):
    return issue_groups(issues or [], article)
