"""Checks before publishing: what an editor should look at before readers see a story.

``services.gate.publish_gate`` sorts them: some block publishing (an editor may override them
with a logged reason), the others are warnings that need a confirmation.
"""

from dataclasses import asdict, dataclass

from django.db.models import Prefetch

from entities.models import Role

from .models import Annotation, Block, Mention, Quote

# Prefixes the text puts before a title that only date it: 時任 = "then", 前/原 = "former", 現任 = "current".
ROLE_PREFIXES = ("時任", "时任", "現任", "现任", "前任", "原任", "前", "原")


@dataclass(frozen=True)
class Issue:
    code: str
    message: str
    target: str = ""  # the key of the quote, annotation or block it is about ("" for the story)

    def as_dict(self):
        return asdict(self)


def _bare(role):
    role = (role or "").strip()
    for prefix in ROLE_PREFIXES:
        if role.startswith(prefix) and len(role) > len(prefix):
            return role[len(prefix):]
    return role


def matching_roles(printed, roles):
    """The speaker's roles that the role printed in the story names (equal, or one contains the other)."""
    bare = _bare(printed)
    if not bare:
        return []
    return [r for r in roles if r.title == bare or r.title in bare or bare in r.title]


def article_checks(article):
    """Return the open issues of working copy ``article`` (a list of Issue), in reading order."""
    issues = []
    if not (article.title or "").strip():
        issues.append(Issue("headline", "The story has no headline."))
    if not (article.dek or "").strip():
        issues.append(Issue("dek", "The story has no dek (the line under the headline)."))

    quotes = (Quote.objects.filter(article=article).select_related("block", "speaker")
              .prefetch_related(Prefetch("speaker__roles", Role.objects.select_related("organization")))
              .order_by("block__position", "start"))
    for q in quotes:
        words = f"“{q.exact[:30]}”"
        if q.status == Quote.Status.SUGGESTED:
            issues.append(Issue("suggestion", f"Quote {q.key} {words} is a suggestion nobody confirmed or rejected.",
                                q.key))
        if q.status == Quote.Status.DISPUTED:
            issues.append(Issue("disputed", f"Quote {q.key} {words} is disputed by a fact-checker.", q.key))
        if q.speaker is None:
            issues.append(Issue("speaker", f"Quote {q.key} {words} has no speaker.", q.key))
            continue
        if not q.role:
            continue
        roles = list(q.speaker.roles.all())
        named = matching_roles(q.role, roles)
        if not named:
            issues.append(Issue("role", f"Quote {q.key}: “{q.role}” is not one of {q.speaker.name}'s roles.", q.key))
        elif q.said_on and not any(r.was_held_on(q.said_on) for r in named):
            spans = "; ".join(f"{r.title} {r.start or '…'}–{r.end or '…'}" for r in named)
            issues.append(Issue("role_date", f"Quote {q.key}: {q.speaker.name} did not hold “{q.role}” on "
                                             f"{q.said_on} ({spans}).", q.key))

    for m in Mention.objects.filter(article=article, status=Mention.Status.SUGGESTED).select_related(
            "block", "entity").order_by("block__position", "start"):
        issues.append(Issue("suggestion", f"Mention of {m.entity.name} at {m.block.key} «{m.exact}» is a suggestion "
                                          "nobody confirmed or rejected.", m.key))
    for a in Annotation.objects.filter(article=article, status=Annotation.Status.OPEN,
                                       kind__in=[Annotation.Kind.FLAG, Annotation.Kind.REPAIR]).select_related(
            "block").order_by("block__position", "start"):
        what = "Flag" if a.kind == Annotation.Kind.FLAG else "Repair"
        issues.append(Issue(a.kind, f"{what} {a.key} at {a.block.key} «{a.exact[:30]}» is open: {a.body[:80]}", a.key))
    for b in Block.objects.filter(article=article, kind=Block.Kind.FIGURE, alt="").order_by("position"):
        empty = "" if b.image else " (and no image yet)"
        issues.append(Issue("alt", f"Figure {b.key} has no alt text{empty}.", b.key))
    return issues
