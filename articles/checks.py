"""Checks before publishing: what an editor should look at before readers see a story.

``services.gate.publish_gate`` sorts them: some block publishing (an editor may override them
with a logged reason), the others are warnings that need a confirmation.
"""

from dataclasses import asdict, dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

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
        issues.append(Issue("headline", _("The story has no headline.")))
    if not (article.dek or "").strip():
        issues.append(Issue("dek", _("The story has no dek (the line under the headline).")))

    quotes = (Quote.objects.filter(article=article).select_related("block", "speaker")
              .prefetch_related(Prefetch("speaker__roles", Role.objects.select_related("organization")))
              .order_by("block__position", "start"))
    for q in quotes:
        words = f"“{q.exact[:30]}”"
        if q.status == Quote.Status.SUGGESTED:
            issues.append(Issue("suggestion", _("Quote %(key)s %(words)s is a suggestion nobody confirmed or rejected.")
                                % {"key": q.key, "words": words},
                                q.key))
        if q.status == Quote.Status.DISPUTED:
            issues.append(Issue("disputed", _("Quote %(key)s %(words)s is disputed by a fact-checker.")
                                % {"key": q.key, "words": words}, q.key))
        if q.speaker is None:
            issues.append(Issue("speaker", _("Quote %(key)s %(words)s has no speaker.") % {"key": q.key, "words": words}, q.key))
            continue
        if not q.role:
            continue
        roles = list(q.speaker.roles.all())
        named = matching_roles(q.role, roles)
        if not named:
            issues.append(Issue("role", _("Quote %(key)s: “%(role)s” is not one of %(speaker)s's roles.") % {
                "key": q.key, "role": q.role, "speaker": q.speaker.name}, q.key))
        elif q.said_on and not any(r.was_held_on(q.said_on) for r in named):
            spans = "; ".join(f"{r.title} {r.start or '…'}–{r.end or '…'}" for r in named)
            issues.append(Issue("role_date", _("Quote %(key)s: %(speaker)s did not hold “%(role)s” on %(date)s (%(spans)s).") % {
                "key": q.key, "speaker": q.speaker.name, "role": q.role, "date": q.said_on, "spans": spans}, q.key))

    for m in Mention.objects.filter(article=article, status=Mention.Status.SUGGESTED).select_related(
            "block", "entity").order_by("block__position", "start"):
        issues.append(Issue("suggestion", _("Mention of %(entity)s at %(block)s «%(words)s» is a suggestion nobody confirmed "
                                            "or rejected.") % {"entity": m.entity.name, "block": m.block.key,
                                                                "words": m.exact}, m.key))
    for a in Annotation.objects.filter(article=article, status=Annotation.Status.OPEN,
                                       kind__in=[Annotation.Kind.FLAG, Annotation.Kind.REPAIR]).select_related(
            "block").order_by("block__position", "start"):
        what = _("Flag %(key)s at %(block)s «%(words)s» is open: %(body)s") if a.kind == Annotation.Kind.FLAG else _(
            "Repair %(key)s at %(block)s «%(words)s» is open: %(body)s")
        issues.append(Issue(a.kind, what % {"key": a.key, "block": a.block.key, "words": a.exact[:30],
                                            "body": a.body[:80]}, a.key))
    for b in Block.objects.filter(article=article, kind=Block.Kind.FIGURE, alt="").order_by("position"):
        message = _("Figure %(key)s has no alt text.") if b.image else _("Figure %(key)s has no alt text (and no image yet).")
        issues.append(Issue("alt", message % {"key": b.key}, b.key))
    return issues
