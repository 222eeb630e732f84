"""The pre-publish checklist, grouped: one collapsible group per kind of issue with its count and a
link to its first item (issue 11 item 5: the raw seed's list ran to ~220 lines).

The desk's JavaScript groups the same way when it redraws the list (``render.js``), with these
labels (``desk_strings``) and the same links: an item opens in the desk (``#open-<key>``), a figure
scrolls into view (``#desk-<key>``), a story field is on the change form.
"""

import re

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# In the order editors should look at them: what blocks publishing first (services.gate.BLOCKING_CODES).
ISSUE_KINDS = {
    "headline": _("Headline"),
    "flag": _("Open flags"),
    "repair": _("Open repairs"),
    "speaker": _("Quotes without a speaker"),
    "alt": _("Figures without alt text"),
    "dek": _("Dek"),
    "disputed": _("Disputed quotes"),
    "role": _("Roles the speaker does not have"),
    "role_date": _("Roles not held on the quote's date"),
    "suggestion:quote": _("Suggested quotes nobody confirmed or rejected"),
    "suggestion:mention": _("Suggested mentions nobody confirmed or rejected"),
}
STORY_FIELDS = ("headline", "dek")  # fixed on the change form, not in the text
BLOCK_TARGETS = ("alt",)  # the target is a block's key
OPEN_UP_TO = 3  # a group this small is shown open: nothing to save by folding it
MENTION_KEY = re.compile(r"^m\d+$")  # services.documents.write_story keys mentions m1, m2…


def kind_of(issue):
    if issue.code == "suggestion":
        return "suggestion:mention" if MENTION_KEY.match(issue.target or "") else "suggestion:quote"
    return issue.code


def issue_link(article, issue):
    """Where an editor fixes ``issue``: the item in the desk, a figure in the desk, or the change form."""
    if issue.code in STORY_FIELDS or not issue.target:
        return reverse("admin:articles_article_change", args=[article.pk])
    desk = reverse("admin:articles_article_desk", args=[article.pk])
    return f"{desk}#desk-{issue.target}" if issue.code in BLOCK_TARGETS else f"{desk}#open-{issue.target}"


def issue_groups(issues, article):
    """[{kind, label, count, url, open, issues}] in ISSUE_KINDS order; ``url`` goes to the first item."""
    groups = {}
    for issue in issues:
        groups.setdefault(kind_of(issue), []).append(issue)
    order = list(ISSUE_KINDS)
    out = []
    for kind in sorted(groups, key=lambda k: order.index(k) if k in order else len(order)):
        items = groups[kind]
        out.append({"kind": kind, "label": ISSUE_KINDS.get(kind, kind), "count": len(items),
                    "url": issue_link(article, items[0]), "open": len(items) <= OPEN_UP_TO, "issues": items})
    return out
