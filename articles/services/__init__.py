"""Writes that touch several article models at once, one module per operation:

- ``documents``: the model <-> story-format mapping (``export_story``, ``write_story``)
- ``importing``: story files and raw text into working copies
- ``publishing``: live editions, scheduled publishing
- ``workflow``: status transitions
- ``gate``: the publish gate (blocking checks, warnings, what changes for readers, overrides)
- ``revisions``: snapshots and restoring them
- ``annotating``: quotes, mentions and notes from the desk, each locked on its version
- ``blocks``: editing a paragraph, with its anchors following the words
- ``previews``: share links
- ``knowledge``: what an unpublished import says about known entities, held until it is published
- ``story_fields``: a document's strings checked against their columns before an import writes
- ``script``: simplified leftovers in a Traditional story set in Traditional, as repairs to review
- ``locking`` and ``errors``: optimistic locking and the refusals the desk answers with

Everything is re-exported here, so ``from articles.services import story_import`` keeps working.
Permissions are ``articles.permissions``; the workflow's table and labels ``articles.workflow``.
"""

from ..models import NOTE_KINDS
from ..permissions import allowed_actions, desk_permissions
from ..workflow import ACTION_LABELS, TRANSITIONS
from .annotating import (
    ANCHORED_TYPES,
    anchored_create,
    anchored_delete,
    anchored_update,
    annotation_resolve,
    quote_verify,
    suggestion_accept,
    suggestion_reject,
)
from .blocks import block_reanchor, block_save
from .documents import entity_to_doc, export_story, write_story
from .errors import ChecksNotConfirmed, DeskError, Gone, StaleVersion, describe_user, require
from .gate import (
    BLOCKING_CODES, Gate, PublishBlocked, blocking_issues, can_override, gate_check, publish_gate, readers_changes,
)
from .importing import ImportResult, raw_import, story_import
from .knowledge import story_knowledge_accept
from .locking import anchored_lock, article_lock
from .previews import PREVIEW_DAYS, preview_link_create, preview_link_resolve, preview_link_revoke, preview_link_signed
from .publishing import (
    VISIBLE_STATUSES,
    article_publish,
    article_unpublish,
    articles_publish_due,
    copy_to_live,
    sync_live_edition,
)
from .revisions import revision_create, revision_restore
from .script import article_script_repair, script_repair_reject, script_repairs_accept
from .workflow import article_transition

__all__ = [
    "ACTION_LABELS", "ANCHORED_TYPES", "BLOCKING_CODES", "Gate", "PublishBlocked", "blocking_issues", "can_override", "gate_check",
    "publish_gate", "readers_changes", "NOTE_KINDS", "PREVIEW_DAYS", "TRANSITIONS", "VISIBLE_STATUSES",
    "ChecksNotConfirmed", "DeskError", "Gone", "ImportResult", "StaleVersion",
    "allowed_actions", "anchored_create", "anchored_delete", "anchored_lock", "anchored_update",
    "annotation_resolve", "article_lock", "block_reanchor", "block_save", "article_publish", "article_transition", "article_unpublish",
    "articles_publish_due", "copy_to_live", "describe_user", "desk_permissions", "entity_to_doc", "export_story",
    "preview_link_create", "preview_link_resolve", "preview_link_revoke", "preview_link_signed", "quote_verify",
    "raw_import", "require", "revision_create", "revision_restore", "story_import", "story_knowledge_accept",
    "suggestion_accept", "article_script_repair", "script_repair_reject", "script_repairs_accept",
    "suggestion_reject", "sync_live_edition", "write_story",
]
