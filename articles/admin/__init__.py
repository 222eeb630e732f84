"""The editors' admin: working copies only; live editions change only by publishing.

Permissions are checked on the server for every path (change form, model pages, actions, the
desk's endpoints in ``desk``) by one policy, ``articles.permissions``: reporters edit their own
drafts, editors every story, fact-checkers read every story and verify quotes. Every write path
refuses a save based on an outdated version (or none: ``newsroom.forms.VersionedModelForm``), and
status changes follow the desk's steps. The story's change form holds its fields only; its text is
edited in the desk. Publishing goes through the publish gate (``publish_views`` and ``services.gate``).

Split by job like ``articles.models``: ``stories`` (the story's form, list and workflow actions),
``anchored`` (quotes, mentions and annotations outside the desk) and ``history`` (revisions). Importing
this package, as ``admin.autodiscover()`` does, registers them all.
"""

from .stories import (  # noqa: F401
    ArticleAdmin,
    ArticleForm,
    EstimatedCountPaginator,
    UnpublishedChangesFilter,
)
from .anchored import (  # noqa: F401
    AnchoredForm,
    AnnotationAdmin,
    MentionAdmin,
    QuoteAdmin,
    WorkingCopyAdmin,
)
from .history import RevisionAdmin  # noqa: F401
