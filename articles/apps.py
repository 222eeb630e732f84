from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "文章"

    def ready(self):
        from newsroom.public_pages import register_state_source

        from .page_state import state_columns

        register_state_source(state_columns)

        # The knowledge base learns from here which entities are public and where they are used.
        from entities import usage

        from .entity_usage import StoryUsage

        usage.register(StoryUsage())
