"""Stories: articles in a lede and numbered sections of blocks, and what editors anchor on them.

Every story has one *working* Article (what the admin edits) and, once published, one *live*
Article beside it, copied through the story format (see ``services.article_publish``). Readers
only ever see live editions (``Article.objects.public()``).

The models are split by job: ``stories`` (Article, Section, Block and their QuerySets), ``anchored``
(Quote, Mention, Annotation) and ``history`` (Revision, RejectedSuggestion, Transition, PreviewLink);
everything is importable from ``articles.models``.
"""

from .anchored import (  # noqa: F401
    Anchored,
    AnchoredQuerySet,
    Annotation,
    AnnotationKind,
    AnnotationStatus,
    Mention,
    MentionStatus,
    NOTE_KINDS,
    Quote,
    QuoteKind,
    QuoteStatus,
    check_span,
    quote_tokens,
)
from .history import (  # noqa: F401
    PreviewLink,
    RejectedSuggestion,
    Revision,
    SuggestionKind,
    Transition,
)
from .redirects import StoryRedirect  # noqa: F401
from .stories import (  # noqa: F401
    Article,
    ArticleQuerySet,
    Block,
    BlockKind,
    Edition,
    PUBLIC_NOTE_KINDS,
    PUBLIC_QUOTE_STATUSES,
    Section,
    Status,
    StoryEntity,
    StoryRender,
)
