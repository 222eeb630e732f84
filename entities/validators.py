"""Validators shared by the admin forms and the story format (imports no model).

One rule for links that reach a page: only http(s) URLs (or, for images, a path on this site), so
no ``javascript:`` or ``data:`` link is stored, whichever way it arrives (issue 10, item 10).
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

_http = URLValidator(schemes=["http", "https"])


def is_public_url(value, *, relative_ok=False):
    """True if ``value`` is an http(s) URL (or, with ``relative_ok``, a path such as /media/a.jpg)."""
    if relative_ok and value.startswith("/") and not value.startswith("//"):
        return True
    try:
        _http(value)
    except ValidationError:
        return False
    return True


def validate_public_url(value):
    if value and not is_public_url(value):
        raise ValidationError(_("Only http:// and https:// links are accepted."), code="url_scheme")


def validate_image_path(value):
    if value and not is_public_url(value, relative_ok=True):
        raise ValidationError(_("An image is an http(s) URL or a path on this site (/media/…)."), code="url_scheme")


def validate_calendar_date(value):
    """A partial date (YYYY, YYYY-MM, YYYY-MM-DD) that exists: no 2023-02-30."""
    if not value or len(value) != 10:
        return
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("%(value)s is not a day of the calendar.") % {"value": value}, code="no_such_day") from None
