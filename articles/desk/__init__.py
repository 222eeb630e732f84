"""The editors' desk (admin views, JSON endpoints, review queue): see ``views.ArticleDeskMixin``."""

from .views import ArticleDeskMixin

__all__ = ["ArticleDeskMixin"]
