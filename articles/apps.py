from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "文章"

    def ready(self):
        from .page_state import connect_signals

        connect_signals()

        # The knowledge base learns from here which entities are public and where they are used.
        from entities import usage

        from .entity_usage import StoryUsage

        usage.register(StoryUsage())
