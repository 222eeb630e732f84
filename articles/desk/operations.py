"""What can be done to one quote, mention or annotation in the desk, as a table.

Each operation names the types it applies to, who may do it (from ``desk_permissions``) and the
service that does it. The desk's JSON endpoint and the review queue's bulk actions both go through
``perform``: one place says who may accept a suggestion or resolve a flag.
"""

from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Quote
from ..services import ANCHORED_TYPES, NOTE_KINDS
from .forms import AnchorForm, AnnotationForm, FIELD_FORMS, VersionForm


def importer_mark(kind, obj):
    """A flag or repair the importer left: only those who may resolve them change or delete them."""
    return kind == "annotation" and obj.kind not in NOTE_KINDS


@dataclass(frozen=True)
class Operation:
    types: tuple
    allowed: Callable  # (perms, type, obj) -> bool
    run: Callable  # (Request) -> the changed object, or None when it is gone
    refused: str = gettext_lazy("You do not have permission to do that.")


@dataclass
class Request:
    article: object
    perms: dict
    type: str
    obj: object
    data: dict
    user: object

    @property
    def model(self):
        return ANCHORED_TYPES[self.type]

    def common(self):
        version = VersionForm(self.data).validated()["version"]
        return {"article": self.article, "pk": self.obj.pk, "user": self.user, "expected_version": version}


def _save(r):
    if r.type == "annotation":
        form = AnnotationForm(r.data, current=r.obj)
    else:
        form = FIELD_FORMS[r.type](r.data, perms=r.perms)
    form.validated()
    anchor = AnchorForm(r.data).validated() if r.data.get("block") else None
    common = r.common()
    return services.anchored_update(model=r.model, fields=form.model_fields(), anchor=anchor, **common)


def _delete(r):
    services.anchored_delete(model=r.model, **r.common())


def _accept(r):
    return services.suggestion_accept(model=r.model, **r.common())


def _reject(r):
    services.suggestion_reject(model=r.model, **r.common())


def _resolve(r, resolved=True):
    return services.annotation_resolve(resolved=resolved, **r.common())


def _verify(r, status=Quote.Status.VERIFIED):
    return services.quote_verify(status=status, **r.common())


ALL = tuple(ANCHORED_TYPES)
SUGGESTIONS = ("quote", "mention")


def _may_change(p, t, o):
    return p[f"change_{t}"] and (not importer_mark(t, o) or p["resolve"])


def _may_delete(p, t, o):
    return p[f"delete_{t}"] and (not importer_mark(t, o) or p["resolve"])


def _may_review(p, t, o):
    return p["review"] and p[f"change_{t}"]


def _may_resolve(p, t, o):
    return p["resolve"] if importer_mark(t, o) else p["change_annotation"]


def _may_verify(p, t, o):
    return p["verify"]


ONLY_EDITORS = gettext_lazy("Only an editor confirms or rejects suggestions.")
ONLY_FACT_CHECKERS = gettext_lazy("Only a fact-checker verifies quotes.")

OPERATIONS = {
    "save": Operation(ALL, _may_change, _save),
    "delete": Operation(ALL, _may_delete, _delete),
    "accept": Operation(SUGGESTIONS, _may_review, _accept, ONLY_EDITORS),
    "reject": Operation(SUGGESTIONS, _may_review, _reject, ONLY_EDITORS),
    "resolve": Operation(("annotation",), _may_resolve, _resolve),
    "reopen": Operation(("annotation",), _may_resolve, lambda r: _resolve(r, resolved=False)),
    "verify": Operation(("quote",), _may_verify, _verify, ONLY_FACT_CHECKERS),
    "dispute": Operation(("quote",), _may_verify, lambda r: _verify(r, Quote.Status.DISPUTED), ONLY_FACT_CHECKERS),
}


def perform(op, request):
    """Check ``request.user`` may do ``op`` (PermissionDenied if not), then do it; the result or None if gone."""
    operation = OPERATIONS[op]
    if request.type not in operation.types or not operation.allowed(request.perms, request.type, request.obj):
        raise PermissionDenied(str(operation.refused))
    return operation.run(request)


BULK = {"accept": SUGGESTIONS, "reject": SUGGESTIONS, "resolve": ("annotation",)}


def perform_bulk(op, request):
    """One item of a bulk action: accept or reject a suggestion, resolve an importer's flag or repair."""
    obj = request.obj
    if request.type not in BULK[op] or (request.type == "annotation" and not importer_mark("annotation", obj)):
        what = obj.kind if request.type == "annotation" else request.type
        raise services.DeskError(_("cannot %(op)s a %(what)s") % {"op": op, "what": what})
    return perform(op, request)
