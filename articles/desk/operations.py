"""What can be done to one quote, mention or annotation in the desk, as a table.

Each operation names the service that does it and the message a refusal gives; who may do it is
the permission policy's answer (``permissions.item_allowed``). Bulk review (many items at once)
is ``services.review``.
"""

from dataclasses import dataclass
from typing import Callable

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy

from .. import services
from ..models import Quote
from ..permissions import item_allowed
from ..services import ANCHORED_TYPES
from .forms import AnchorForm, AnnotationForm, FIELD_FORMS, VersionForm


@dataclass(frozen=True)
class Operation:
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


ONLY_EDITORS = gettext_lazy("Only an editor confirms or rejects suggestions.")
ONLY_FACT_CHECKERS = gettext_lazy("Only a fact-checker verifies quotes.")

OPERATIONS = {
    "save": Operation(_save),
    "delete": Operation(_delete),
    "accept": Operation(_accept, ONLY_EDITORS),
    "reject": Operation(_reject, ONLY_EDITORS),
    "resolve": Operation(_resolve),
    "reopen": Operation(lambda r: _resolve(r, resolved=False)),
    "verify": Operation(_verify, ONLY_FACT_CHECKERS),
    "dispute": Operation(lambda r: _verify(r, Quote.Status.DISPUTED), ONLY_FACT_CHECKERS),
}


def perform(op, request):
    """Check ``request.user`` may do ``op`` (PermissionDenied if not), then do it; the result or None if gone."""
    operation = OPERATIONS[op]
    if not item_allowed(request.perms, request.type, op, request.obj):
        raise PermissionDenied(str(operation.refused))
    return operation.run(request)
