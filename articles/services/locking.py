"""Optimistic locking: lock a row, compare the version the editor loaded, bump it on save."""

from django.utils.translation import gettext as _

from ..models import Article
from .errors import Gone, StaleVersion


def article_lock(*, article, expected_version=None):
    """Lock and return the working copy of ``article``; StaleVersion if it moved past ``expected_version``."""
    working = Article.objects.working().select_for_update().filter(pk=article.pk).first()
    if working is None:
        raise Gone(_("This story no longer exists."))
    if expected_version is not None and int(expected_version) != working.version:
        raise StaleVersion(working, "this story")
    return working


def bump(working, user):
    working.version += 1
    working.modified_by = user
    working.save()



def anchored_lock(*, model, pk, article, expected_version):
    """Lock one quote, mention or annotation of ``article``; StaleVersion if it moved past ``expected_version``.

    Locking is per object: two editors changing different annotations of one story never collide.
    """
    obj = model.objects.select_for_update().filter(pk=pk, article=article).first()
    if obj is None:
        raise Gone(_("This %(thing)s no longer exists: someone deleted it, or the story was restored or re-imported. "
                     "Reload to see the story as it is now.") % {"thing": model._meta.verbose_name})
    if expected_version is None or int(expected_version) != obj.version:
        raise StaleVersion(obj, _("this %(thing)s") % {"thing": model._meta.verbose_name})
    return obj


