"""Django forms that validate the desk's requests (JSON bodies and the workflow's POSTs).

A JSON value of the wrong type (``version: "abc"``, ``type: ["quote"]``), a NUL character, an
over-long text or a date that is not in the calendar is refused with 400 and a message that names
the field; nothing reaches the database unchecked. Fields here never coerce a list or a number into
text the way HTML form fields would: JSON has types, and a wrong one is a client error.
"""

import json
from typing import NamedTuple

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entities.models import Entity, validate_partial_date
from entities.services import entity_create
from entities.validators import validate_calendar_date

from ..importing.story import SPEAKER_KINDS
from ..models import NOTE_KINDS, Annotation, Quote
from ..services import ANCHORED_TYPES, DeskError
from ..services.review import MAX_ITEMS as MAX_REVIEW_ITEMS

MAX_BODY = 64 * 1024  # a desk request carries one annotation; anything bigger is not ours


def read_json(request):
    """The request body as a JSON object, or DeskError (400)."""
    if len(request.body) > MAX_BODY:
        raise DeskError(_("The request is too large."))
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise DeskError(_("The request is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise DeskError(_("The request must be a JSON object."))
    return data


# --- fields that respect JSON types --------------------------------------------------------------

class _JSONText:
    def to_python(self, value):
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("must be text, not %(type)s."), code="json_type",
                                  params={"type": type(value).__name__})
        return super().to_python(value)


class TextField(_JSONText, forms.CharField):
    """Text or null (empty); NUL characters are refused (CharField's own validator)."""


class ChoiceField(_JSONText, forms.ChoiceField):
    default_error_messages = {"invalid_choice": gettext_lazy("%(value)s is not one of the choices.")}


class IntField(forms.IntegerField):
    """A whole number (or its digits as text, as an HTML form sends it); never true/false or a list."""

    def to_python(self, value):
        if isinstance(value, bool) or not (value is None or isinstance(value, (int, str))):
            raise ValidationError(_("must be a whole number."), code="json_type")
        return super().to_python(value)


class ConfidenceField(forms.FloatField):
    """A confidence threshold from 0 to 1 in hundredths (a number, or its digits as an HTML form sends it)."""

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=1, **kwargs)

    def to_python(self, value):
        if isinstance(value, bool) or not (value is None or isinstance(value, (int, float, str))):
            raise ValidationError(_("must be a number from 0 to 1."), code="json_type")
        value = super().to_python(value)
        return None if value is None else round(value, 2)  # the desk and the history show hundredths


class BoolField(forms.Field):
    """true, false or null (left to the form's default)."""

    def to_python(self, value):
        if value is None or isinstance(value, bool):
            return value
        raise ValidationError(_("must be true or false."), code="json_type")


class ObjectField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if not isinstance(value, dict):
            raise ValidationError(_("must be an object."), code="json_type")
        return value


# --- forms ---------------------------------------------------------------------------------------

class JSONForm(forms.Form):
    """A form over one JSON object (or a POST); ``validated()`` returns cleaned data or raises DeskError."""

    def __init__(self, data, **kwargs):
        super().__init__(data=data, **kwargs)

    def error_text(self):
        parts = []
        for name, errors in self.errors.items():
            text = " ".join(str(e) for e in errors)
            parts.append(text if name == forms.forms.NON_FIELD_ERRORS else f"{name}: {text}")
        return "; ".join(parts)

    def validated(self):
        if not self.is_valid():
            raise DeskError(self.error_text(),
                            errors={k: [str(e) for e in v] for k, v in self.errors.items()})
        return self.cleaned_data


class TypeForm(JSONForm):
    type = ChoiceField(choices=[(k, k) for k in ANCHORED_TYPES],
                       error_messages={"required": gettext_lazy("is one of quote, mention, annotation.")})


class VersionForm(JSONForm):
    # Missing stays None: the service refuses a write without a version as stale (409), not as bad input.
    version = IntField(required=False, min_value=0)


class AnchorForm(JSONForm):
    block = TextField(max_length=100, error_messages={"required": gettext_lazy(
        "select some words in one paragraph first.")})
    start = IntField(min_value=0)
    end = IntField(min_value=0)
    exact = TextField(strip=False, error_messages={"required": gettext_lazy("the selection's words are missing.")})


class NewEntityForm(JSONForm):
    name = TextField(max_length=200)
    kind = ChoiceField(choices=Entity.Kind.choices)


class NewEntity(NamedTuple):
    """An entity the editor typed in, made when the annotation is written (``EntityChoiceForm.model_fields``)."""

    name: str
    kind: str


class EntityChoiceForm(JSONForm):
    """Base of forms that choose entities: ``<key>`` an existing id, or ``<key>_new`` {name, kind}."""

    entity_keys = {}  # key -> (allowed kinds, what to call it)

    def __init__(self, data, *, perms, **kwargs):
        super().__init__(data, **kwargs)
        self.perms = perms

    def clean(self):
        cleaned = super().clean()
        for key, (kinds, what) in self.entity_keys.items():
            if key in self.errors or f"{key}_new" in self.errors:
                continue
            try:
                cleaned[key] = self.entity(cleaned.get(key), cleaned.get(f"{key}_new"), kinds=kinds, what=what)
            except ValidationError as exc:
                self.add_error(f"{key}_new" if cleaned.get(f"{key}_new") else key, exc)
        return cleaned

    def entity(self, pk, new, *, kinds, what):
        if new:
            if not self.perms["new_entity"]:
                raise PermissionDenied(_("You may not create entities."))
            form = NewEntityForm(new)
            if not form.is_valid():
                raise ValidationError(form.error_text())
            name, kind = form.cleaned_data["name"], form.cleaned_data["kind"]
            if kind not in kinds:
                raise ValidationError(_("a %(what)s is one of: %(kinds)s."),
                                      params={"what": what, "kinds": ", ".join(kinds)})
            existing = Entity.objects.filter(Q(name=name) | Q(aliases__text=name), kind=kind).first()
            return existing or NewEntity(name, kind)
        if pk is None:
            return None
        entity = Entity.objects.filter(pk=pk).first()
        if entity is None:
            raise ValidationError(_("that %(what)s does not exist (any more)."), params={"what": what})
        if entity.kind not in kinds:
            raise ValidationError(_("%(name)s is a %(kind)s; a %(what)s is one of: %(kinds)s."), params={
                "name": entity.name, "kind": entity.get_kind_display(), "what": what, "kinds": ", ".join(kinds)})
        return entity

    def model_fields(self):
        """The cleaned values as model fields; typed-in entities are created now (inside the request's transaction)."""
        fields = {k: v for k, v in self.cleaned_data.items() if not k.endswith("_new")}
        for key in self.entity_keys:
            if isinstance(fields.get(key), NewEntity):
                try:
                    fields[key] = entity_create(name=fields[key].name, kind=fields[key].kind)
                except ValidationError as exc:
                    raise DeskError(f"{key}_new: {' '.join(exc.messages)}") from None
        return fields


class QuoteForm(EntityChoiceForm):
    entity_keys = {"speaker": (SPEAKER_KINDS, "speaker"), "event": ((Entity.Kind.EVENT,), "event")}

    kind = ChoiceField(choices=Quote.Kind.choices, required=False)
    speaker = IntField(required=False)
    speaker_new = ObjectField(required=False)
    role = TextField(max_length=200, required=False)
    said_on = TextField(max_length=10, required=False, validators=[validate_partial_date, validate_calendar_date])
    event = IntField(required=False)
    event_new = ObjectField(required=False)
    note = TextField(max_length=5000, required=False)

    def clean_kind(self):
        return self.cleaned_data["kind"] or Quote.Kind.DIRECT


class MentionForm(EntityChoiceForm):
    entity_keys = {"entity": (Entity.Kind.values, "entity")}

    entity = IntField(required=False)
    entity_new = ObjectField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("entity") is None:
            raise ValidationError(_("Choose the entity this mention names (or create it)."))
        return cleaned


class AnnotationForm(JSONForm):
    """A note's fields; an importer's flag or repair (``current``) keeps its kind."""

    kind = ChoiceField(choices=Annotation.Kind.choices, required=False)
    body = TextField(max_length=5000, required=False)
    public = BoolField(required=False)

    def __init__(self, data, *, perms=None, current=None, **kwargs):
        super().__init__(data, **kwargs)
        self.current = current

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        current = self.current
        kind = cleaned.get("kind") or (current.kind if current else Annotation.Kind.NOTE)
        if current is not None and current.kind not in NOTE_KINDS:
            if kind != current.kind:
                self.add_error("kind", _("the kind of an importer's flag or repair cannot change."))
        elif kind not in NOTE_KINDS:
            self.add_error("kind", _("a note is one of: %(kinds)s.") % {"kinds": ", ".join(NOTE_KINDS)})
        public = cleaned.get("public")
        if public is None:
            public = kind != Annotation.Kind.NOTE
        if kind == Annotation.Kind.NOTE and public:
            self.add_error("public", _("an internal note cannot be public; make it a context note."))
        cleaned.update(kind=kind, public=public)
        return cleaned

    def model_fields(self):
        return {k: self.cleaned_data[k] for k in ("kind", "body", "public")}


class ParagraphForm(JSONForm):
    """A paragraph's new text and the text the editor started from (the paragraph's lock)."""

    text = TextField(strip=False)
    expected = TextField(strip=False)


FIELD_FORMS = {"quote": QuoteForm, "mention": MentionForm, "annotation": AnnotationForm}


class EntitySearchForm(JSONForm):
    q = TextField(required=False)  # cut to 100 characters by the view


class TransitionForm(JSONForm):
    """The workflow panel's POST: an action, the version it was shown, an optional note and time."""

    action = TextField(max_length=40, required=False)
    version = IntField(required=False, min_value=0)
    note = TextField(required=False, strip=False)  # cut to 2,000 characters, as before
    publish_at = TextField(max_length=40, required=False)
    confirm = TextField(max_length=10, required=False)
    override_reason = TextField(max_length=500, required=False)  # an editor's reason to publish over blocking checks
    next = TextField(max_length=2000, required=False)

    def clean_publish_at(self):
        raw = self.cleaned_data["publish_at"]
        if not raw:
            return None
        value = parse_datetime(raw)
        if value is None:
            raise ValidationError(_("The publication time is not a date and time."))
        return value


class BulkReviewForm(JSONForm):
    """The review queue's POST: an operation and items as ``<type>:<id>:<version>`` (at most 2,000), each
    in its own ``item`` field (checked rows) or space-separated in ``group`` (an entity's row)."""

    op = ChoiceField(choices=[(o, o) for o in ("accept", "reject", "resolve")],
                     error_messages={"required": gettext_lazy("Choose accept, reject or resolve."),
                                     "invalid_choice": gettext_lazy("Choose accept, reject or resolve.")})
    confidence = ConfidenceField(required=False)  # set: "all at or above this confidence"

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        values = list(data.getlist("item")) if hasattr(data, "getlist") else []
        values += (data.get("group") or "").split()
        self.raw_items = values[:MAX_REVIEW_ITEMS]

    def items(self):
        """(type, pk, version) of every well-formed item; malformed ones are skipped."""
        out = []
        for value in self.raw_items:
            kind, _sep, rest = value.partition(":")
            pk, _sep, version = rest.partition(":")
            if kind in ANCHORED_TYPES and pk.isdigit() and version.isdigit():
                out.append((kind, int(pk), int(version)))
        return out


class ItemsField(forms.Field):
    """A JSON list of [type, id, version] triples."""

    def to_python(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, list) or len(value) > MAX_REVIEW_ITEMS:
            raise ValidationError(_("must be a list of at most %(n)d [type, id, version] items."),
                                  params={"n": MAX_REVIEW_ITEMS})
        out = []
        for item in value:
            if not (isinstance(item, list) and len(item) == 3 and item[0] in ANCHORED_TYPES
                    and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in item[1:])):
                raise ValidationError(_("each item is [type, id, version], not %(item)s."),
                                      params={"item": json.dumps(item, ensure_ascii=False)[:80]})
            out.append(tuple(item))
        return out


class DeskReviewForm(JSONForm):
    """The desk's bulk review of one story: accept or reject an entity's suggestions, resolve flags."""

    story = IntField(min_value=1)
    op = ChoiceField(choices=[(o, o) for o in ("accept", "reject", "resolve")])
    items = ItemsField()
    confidence = ConfidenceField(required=False)
