"""The workflow of a story: which action leads from which status to which, who may take it, and
what its button says (translated). ``articles.permissions`` decides who "edit" and "publish" are;
``articles.services.workflow`` carries an action out."""

from django.utils.translation import gettext_lazy as _

from .models import Status

# action -> (statuses it starts from, the status it leads to, who may take it).
# "edit": whoever may edit the story; "publish": whoever holds articles.publish_article.
TRANSITIONS = {
    "submit": ({Status.DRAFT}, Status.IN_REVIEW, "edit"),
    "request_changes": ({Status.IN_REVIEW, Status.SCHEDULED}, Status.DRAFT, "publish"),
    "publish": ({Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}, Status.PUBLISHED, "publish"),
    "unpublish": ({Status.PUBLISHED, Status.SCHEDULED}, Status.DRAFT, "publish"),
    "archive": ({Status.DRAFT, Status.IN_REVIEW, Status.SCHEDULED, Status.PUBLISHED}, Status.ARCHIVED, "publish"),
    "unarchive": ({Status.ARCHIVED}, Status.DRAFT, "publish"),
}

ACTION_LABELS = {
    "submit": _("Submit for review"),
    "request_changes": _("Request changes (back to draft)"),
    "publish": _("Publish"),
    "unpublish": _("Unpublish"),
    "archive": _("Archive"),
    "unarchive": _("Back to draft"),
}
