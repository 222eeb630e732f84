from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = _("Articles")

    def ready(self):
        from .page_state import connect_signals

        connect_signals()

        # The knowledge base learns from here which entities are public and where they are used.
        from entities import usage

        from .entity_usage import StoryUsage

        usage.register(StoryUsage())
