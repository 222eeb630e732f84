"""Every string the desk's JavaScript shows, through Django's translation.

The page passes them to the modules with ``json_script`` (``desk-strings``); ``strings.js``'s
``t(key, {name: value})`` fills the ``{name}`` placeholders. (Django's JavaScriptCatalog would do
the same once the project has message catalogs of its own; until then this keeps one source.)
"""

from django.utils.translation import gettext_lazy as _

from .checklist import ISSUE_KINDS

JS_STRINGS = {
    # selection and the form
    "nothing_selected": _("Nothing selected."),
    "one_paragraph": _("Select words within one paragraph."),
    "selection": _("{block} · characters {start}–{end} «{exact}»"),
    "select_first": _("Select some words in one paragraph first."),
    "caret_first": _("Put the caret in a paragraph first."),
    "may_not_add": _("You may not add that to this story."),
    "new_quote": _("New quote"), "new_mention": _("New mention"), "new_annotation": _("New note"),
    "pending": _("new {type}"),
    "last_changed_by": _(" · last changed by {who}"),
    "arrived_as": _("Arrived as: {text}"),
    "delete_confirm": _("Delete this {type}?"),
    "suggested": _("Suggested {type}"),
    # results
    "not_saved": _("Not saved."), "not_done": _("Not done."),
    "their_version": _(" Their version: {summary}."),
    "summary_quote": _("speaker {speaker}, kind {kind}{role}{date}, status {status}"),
    "summary_role": _(", role «{role}»"), "summary_date": _(", date {date}"), "none": _("none"),
    "summary_mention": _("entity {entity}, {status}"),
    "summary_public": _(" (public)"),
    "done_save": _("Saved"), "done_accept": _("Suggestion accepted"), "done_resolve": _("Resolved"),
    "done_reopen": _("Reopened"), "done_verify": _("Marked verified"), "done_dispute": _("Marked disputed"),
    "done_item": _("{done}: {label}. Readers see it when the story is published."),
    "rejected": _("Suggestion rejected; re-imports will not suggest it again."),
    "deleted": _("Deleted."),
    "server_answered": _("The server answered {status}."),
    "unreachable": _("The server could not be reached; nothing was saved."),
    "deleted_meanwhile": _("Someone deleted this meanwhile."),
    "changed_meanwhile": _("Someone changed this meanwhile ({who}); saving will be refused until you have seen "
                           "their version."),
    "no_issues": _("No open issues."),
    # autocomplete
    "new_entity_chosen": _("new {kind}: {name}"),
    "new_entity_option": _("New {kind}: «{name}»"),
    "new_organization_option": _("New organization: «{name}»"),
    # paragraphs
    "may_not_edit": _("You may not edit this story's text."),
    "paragraph_label": _("Text of paragraph {key}"),
    "save_text": _("Save text"), "cancel": _("Cancel"),
    "their_text": _("Now: {text}"),
    "paragraph_saved": _("Paragraph {key} saved; its quotes, mentions and notes followed their words{flagged}. "
                         "Readers see it when the story is published."),
    "paragraph_flagged": _(" ({n} whose words are gone were flagged)"),
    # triage
    "accept_one": _("Accept"), "accept_all": _("Accept all {n}"),
    "reject_one": _("Reject"), "reject_all": _("Reject all {n}"),
    "group_confirm_accept": _("Accept all {n} suggested mentions of {name}?"),
    "group_confirm_reject": _("Reject all {n} suggested mentions of {name}?"),
    "nothing_open": _("Nothing open in this story."),
    # the checklist, grouped by kind (articles/desk/checklist.py)
    **{f"issue_kind_{kind}": label for kind, label in ISSUE_KINDS.items()},
    "go_first": _("go to the first"), "go_it": _("go to it"),
    "confident_count": _("{n} open suggestions at or above confidence {threshold} ({quotes} quotes, {mentions} "
                         "mentions). Suggestions a person made have no confidence and are never included."),
    "confident_invalid": _("The confidence must be a number from 0 to 1."),
    "confident_confirm_accept": _("Accept all {n} suggestions at or above confidence {threshold}?"),
    "confident_confirm_reject": _("Reject all {n} suggestions at or above confidence {threshold}?"),
}


def js_strings():
    return {key: str(text) for key, text in JS_STRINGS.items()}
