"""The knowledge base: the people, organisations, products and events that stories name.

``entities`` never imports ``articles``, not even by reflection: what is public and where an entity
is used come from the provider the articles app registers (``entities.usage``).
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import In
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from newsroom.db import JSONMap, JSONRows
from newsroom.text import nfc, search_tokens, slug_for

from .usage import provider

PARTIAL_DATE_RE = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
validate_partial_date = RegexValidator(PARTIAL_DATE_RE, "Use YYYY, YYYY-MM or YYYY-MM-DD.")
validate_slug_id = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,99}$", "Lower-case ASCII letters, digits and hyphens, starting with a letter or digit."
)
validate_wikidata = RegexValidator(r"^Q[0-9]+$", "A Wikidata item id such as Q1359568.")


def partial_date_field(**kwargs):
    """A date known to the year, month or day, stored as text ('2022', '2022-09', '2022-09-01')."""
    kwargs.setdefault("help_text", _("YYYY, YYYY-MM or YYYY-MM-DD; leave empty when unknown."))
    return models.CharField(max_length=10, blank=True, default="", validators=[validate_partial_date], **kwargs)


def partial_date_check(field, name):
    """The lengths a partial date can have (the regex is checked by the validator)."""
    return models.CheckConstraint(condition=In(Length(field), [0, 4, 7, 10]), name=name)


class Kind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANIZATION = "organization", _("organization")
    PRODUCT = "product", _("product")
    EVENT = "event", _("event")
    PLACE = "place", _("place")
    CONCEPT = "concept", _("concept")
    PUBLICATION = "publication", _("publication")


class Predicate(models.TextChoices):
    DEVELOPED_BY = "developed_by", _("developed by")
    PART_OF = "part_of", _("part of")
    ACQUIRED = "acquired", _("acquired")
    SUCCESSOR_OF = "successor_of", _("successor of")
    PRODUCT_OF = "product_of", _("product of")
    SUBSIDIARY_OF = "subsidiary_of", _("subsidiary of")
    FOUNDED_BY = "founded_by", _("founded by")
    HELD_AT = "held_at", _("held at")
    BASED_ON = "based_on", _("based on")
    ORGANIZED_BY = "organized_by", _("organized by")
    COMPETES_WITH = "competes_with", _("competes with")


class EntityQuerySet(models.QuerySet):
    def by_slug_or_alias(self, slug):
        """Return (entity, is_alias) for a canonical slug or an alias slug, or (None, False)."""
        entity = self.filter(slug=slug).first()
        if entity is not None:
            return entity, False
        alias = Alias.objects.select_related("entity").filter(slug=slug).first()
        return (alias.entity, True) if alias else (None, False)

    def public(self, now=None):
        """Entities readers may see now (the only ones with a public page): named in a live story that
        confirms them (see the usage provider), or marked public by an editor."""
        usage = provider()
        if usage is None:
            return self.filter(marked_public=True)
        return self.filter(Q(pk__in=usage.public_entities(now)) | Q(marked_public=True))

    def for_entity_page(self, slug, now=None, stories_up_to=None):
        """The entity page's knowledge in one row: the entity of a canonical or alias ``slug``, its aliases,
        its roles and relations at either end with the entity at the other end (JSON rows, see
        ``ENTITY_CARD``), the pks of those of them and of it that public stories make public
        (``named_in_stories``; the others are public if ``marked_public``), and its public stories
        counted up to ``stories_up_to``."""
        usage = provider()

        def card(prefix):
            return JSONMap(**{name: F(prefix + name) for name in ENTITY_CARD})

        entity = OuterRef("pk")
        aliases = Alias.objects.filter(entity=entity).order_by().values(
            j=JSONMap(id="id", text="text", lang="lang", slug="slug"))
        roles = (Role.objects.filter(Q(person=entity) | Q(organization=entity)).order_by()
                 .values(j=JSONMap(id="id", title="title", start="start", end="end", person_id="person_id",
                                   organization_id="organization_id", person=card("person__"),
                                   organization=card("organization__"))))
        relations = (Relation.objects.filter(Q(subject=entity) | Q(object=entity)).order_by()
                     .values(j=JSONMap(id="id", predicate="predicate", start="start", end="end",
                                       subject_id="subject_id", object_id="object_id", subject=card("subject__"),
                                       object=card("object__"))))
        # The entity and every entity its roles and relations name, as one set: publicness is one
        # expression over it (a copy per role or relation end took PostgreSQL 40 ms to plan). Only
        # what stories make public: whether an editor marked one public is in its row (ENTITY_CARD).
        outer = OuterRef(OuterRef("pk"))
        named = (Entity.objects.filter(pk=outer).order_by().values("pk").union(
            Role.objects.filter(person=outer, organization__isnull=False).order_by().values("organization_id"),
            Role.objects.filter(organization=outer).order_by().values("person_id"),
            Relation.objects.filter(subject=outer).order_by().values("object_id"),
            Relation.objects.filter(object=outer).order_by().values("subject_id"), all=True))
        match = Coalesce(Subquery(Entity.objects.filter(slug=slug).order_by().values("pk")[:1]),
                         Subquery(Alias.objects.filter(slug=slug).order_by().values("entity_id")[:1]))
        annotations = {"alias_rows": JSONRows(aliases), "role_rows": JSONRows(roles),
                       "relation_rows": JSONRows(relations)}
        if usage is not None:
            annotations["named_in_stories"] = JSONRows(usage.public_entities(now, among=named).values(j=F("pk")))
            if stories_up_to is not None:
                annotations["stories_counted"] = usage.stories_counted(now, stories_up_to)
        return self.filter(pk=match).order_by().annotate(**annotations).values(*ENTITY_PAGE_FIELDS, *annotations)

    def for_index(self):
        """The entity index: public entities with their public quote and mention counts."""
        return self.public().annotate(**provider().public_counts()).order_by("name", "pk")

    def most_quoted(self, limit=8):
        """People and organisations ranked by their quotes in public stories (home page)."""
        return (self.public().filter(kind__in=[Kind.PERSON, Kind.ORGANIZATION])
                .annotate(quote_count=provider().public_counts()["quote_count"])
                .filter(quote_count__gt=0).order_by("-quote_count", "name")[:limit])


# What an entity page reads of the entity itself, and of an entity at the other end of a role or relation.
ENTITY_PAGE_FIELDS = ("id", "kind", "name", "slug", "description", "wikidata", "url", "marked_public")
ENTITY_CARD = ("id", "kind", "name", "slug", "wikidata", "url", "marked_public")


class VersionedRow(models.Model):
    """A row editors change in the admin: its version travels with every form (optimistic locking).

    Every full save of an existing row counts up its version in the database (``F() + 1``, so a
    script or an import that saves a copy read earlier still moves the version past what an open
    form loaded); a save with ``update_fields`` (derived columns) leaves it alone.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    modified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("modified by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, editable=False, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        bump = not self._state.adding and self.pk is not None and kwargs.get("update_fields") is None
        if bump:
            self.version = F("version") + 1
        super().save(*args, **kwargs)
        if bump:
            self.version = type(self).objects.filter(pk=self.pk).values_list("version", flat=True).get()


class Entity(VersionedRow):
    Kind = Kind

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    name = models.CharField(_("name"), max_length=200, help_text=_("Canonical name, in the script of our stories."))
    slug = models.SlugField(_("slug"),
        max_length=100, unique=True, validators=[validate_slug_id], help_text=_("The entity's id, the last part of its page's URL, as in /entities/alibaba/.")
    )
    description = models.TextField(_("description"), blank=True, default="", help_text=_("One or two sentences for readers."))
    wikidata = models.CharField(_("Wikidata ID"),
        max_length=20, blank=True, default="", validators=[validate_wikidata],
        help_text=_("Only when certain; leave empty rather than guess."),
    )
    url = models.URLField(_("URL"), max_length=500, blank=True, default="")
    marked_public = models.BooleanField(
        _("public without a story"), default=False,
        help_text=_("Give this entity a public page even if no published story confirms a quote or mention of it."))
    search_tokens = models.TextField(_("search tokens"), blank=True, default="", editable=False,
                                     help_text=_("Derived: bigram tokens of name, aliases and description."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ("name",)
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="entity_kind_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="entity_name_not_empty"),
            models.CheckConstraint(condition=~Q(slug=""), name="entity_slug_not_empty"),
        ]
        permissions = [("merge_entity", "Can merge two entities into one")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = nfc(self.name)
        self.description = nfc(self.description)
        if not self.slug:
            self.slug = slug_for(self.name, taken=lambda s: Entity.objects.filter(slug=s).exclude(pk=self.pk).exists())
        aliases = list(self.aliases.values_list("text", flat=True)) if self.pk else []
        self.search_tokens = search_tokens(self.name, *aliases, self.description)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_tokens"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("entities:detail", args=[self.slug])

    @property
    def wikidata_url(self):
        return f"https://www.wikidata.org/wiki/{self.wikidata}" if self.wikidata else ""


class Alias(VersionedRow):
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.CASCADE, related_name="aliases")
    text = models.CharField(_("text"), max_length=200)
    lang = models.CharField(_("language"), max_length=20, blank=True, default="", help_text=_("BCP 47 tag: zh-Hant, zh-Hans, en…"))
    slug = models.SlugField(_("slug"),
        max_length=100, blank=True, default="",
        help_text=_("Optional URL form: /entities/ followed by this slug redirects to the entity."),
    )
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ("entity", "id")
        constraints = [
            models.UniqueConstraint(fields=["entity", "text"], name="unique_alias_entity_text"),
            models.UniqueConstraint(fields=["slug"], condition=~Q(slug=""), name="unique_alias_slug"),
            models.CheckConstraint(condition=~Q(text=""), name="alias_text_not_empty"),
        ]

    def __str__(self):
        return self.text

    def save(self, *args, **kwargs):
        self.text = nfc(self.text)
        super().save(*args, **kwargs)
        self.entity.save(update_fields=["search_tokens"])  # aliases are searchable

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.entity.save(update_fields=["search_tokens"])
        return result


class Role(VersionedRow):
    person = models.ForeignKey(Entity, verbose_name=_("person"), on_delete=models.CASCADE, related_name="roles")
    title = models.CharField(_("title"), max_length=200, help_text=_("The title as stories print it, e.g. 阿里云CTO."))
    organization = models.ForeignKey(
        Entity, verbose_name=_("organization"), on_delete=models.PROTECT, null=True, blank=True, related_name="member_roles"
    )
    start = partial_date_field(verbose_name=_("start"))
    end = partial_date_field(verbose_name=_("end (a 時任 'then' title has one)"))
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ("person", "start", "id")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="role_title_not_empty"),
            partial_date_check("start", "role_start_partial_date"),
            partial_date_check("end", "role_end_partial_date"),
            models.CheckConstraint(condition=Q(start="") | Q(end="") | Q(start__lte=models.F("end")),
                                   name="role_start_before_end"),
        ]

    def __str__(self):
        return f"{self.person}: {self.title}"

    def save(self, *args, **kwargs):
        self.title = nfc(self.title)
        super().save(*args, **kwargs)

    def was_held_on(self, day):
        """Return True if the role covers the partial date ``day`` (unknown bounds are open)."""
        if not day:
            return True
        return (not self.start or self.start[: len(day)] <= day) and (not self.end or day[: len(self.end)] <= self.end)


class Relation(VersionedRow):
    Predicate = Predicate

    subject = models.ForeignKey(Entity, verbose_name=_("subject"), on_delete=models.CASCADE, related_name="relations_out")
    predicate = models.CharField(_("predicate"), max_length=40, choices=Predicate)
    object = models.ForeignKey(Entity, verbose_name=_("object"), on_delete=models.CASCADE, related_name="relations_in")
    start = partial_date_field(verbose_name=_("start"))
    end = partial_date_field(verbose_name=_("end"))
    modified_at = models.DateTimeField(_("modified at"), auto_now=True)

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ("subject", "id")
        constraints = [
            models.UniqueConstraint(fields=["subject", "predicate", "object"], name="unique_relation_triple"),
            models.CheckConstraint(condition=~Q(subject=models.F("object")), name="relation_not_reflexive"),
            models.CheckConstraint(condition=Q(predicate__in=Predicate.values),
                                   name="relation_predicate_valid"),
            partial_date_check("start", "relation_start_partial_date"),
            partial_date_check("end", "relation_end_partial_date"),
        ]

    def __str__(self):
        return f"{self.subject} {self.predicate} {self.object}"

