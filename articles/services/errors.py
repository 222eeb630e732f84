"""Refusals the desk and the admin answer with: stale versions, vanished objects, permissions."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.formats import date_format

from newsroom.forms import describe_user  # one wording of who saved: the admin's forms and the desk


class DeskError(Exception):
    """A desk write that was refused; ``status`` is the HTTP status a JSON endpoint answers with."""

    status = 400

    def __init__(self, message, **extra):
        super().__init__(message)
        self.message = message
        self.extra = extra


class StaleVersion(DeskError):
    """The object changed since the editor loaded it: their save would overwrite someone's work."""

    status = 409

    def __init__(self, obj, what):
        who = describe_user(getattr(obj, "modified_by", None))
        when = getattr(obj, "modified_at", None)
        when_text = date_format(timezone.localtime(when), "Y-m-d H:i:s") if when else "an unknown time"
        message = (f"Not saved: {what} was changed by {who} at {when_text} (now version {obj.version}) "
                   f"after you opened it. What you typed is kept here; review their changes, then save again "
                   f"to replace them.")
        super().__init__(message, version=obj.version, who=who, when=when.isoformat() if when else None)
        self.obj = obj


class Gone(DeskError):
    status = 404


class ChecksNotConfirmed(DeskError):
    """Publishing over open issues needs the editor's explicit confirmation."""

    status = 409

    def __init__(self, issues):
        super().__init__(f"{len(issues)} open issue(s) before publishing; confirm to publish anyway.",
                         issues=[i.as_dict() for i in issues], needs_confirmation=True)
        self.issues = issues



def require(allowed, message="You do not have permission to do that."):
    if not allowed:
        raise PermissionDenied(message)
