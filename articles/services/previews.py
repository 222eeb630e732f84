"""Share links: a signed, expiring, revocable URL that shows one unpublished story."""

from datetime import timedelta

from django.core import signing
from django.utils import timezone

from ..models import Edition, PreviewLink

PREVIEW_DAYS = PreviewLink.DEFAULT_DAYS


def preview_link_create(*, article, user=None, days=PREVIEW_DAYS, now=None):
    """Make a share link for one story: a 256-bit random token, valid ``days`` days, revocable."""
    now = now or timezone.now()
    days = max(1, min(int(days), 30))
    return PreviewLink.objects.create(article=article, created_by=user, created_at=now,
                                      expires_at=now + timedelta(days=days))


def preview_link_revoke(*, link, now=None):
    if link.revoked_at is None:
        link.revoked_at = now or timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def preview_link_signed(link):
    """The signed token that goes into the share URL (see ``PreviewLink.signed_token``)."""
    return link.signed_token()


def preview_link_resolve(*, article_id, signed, now=None):
    """The valid PreviewLink behind a share URL for story ``article_id``; None if bad, expired, revoked or not its story."""
    try:
        value = signing.Signer(salt=PreviewLink.SALT).unsign(signed)
    except signing.BadSignature:
        return None
    pk, _, token = value.partition(".")
    if pk != str(article_id) or not token:
        return None
    link = PreviewLink.objects.filter(token=token, article_id=article_id, article__edition=Edition.WORKING).first()
    return link if link is not None and link.is_valid(now) else None
