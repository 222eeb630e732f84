from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "文章"

    def ready(self):
        from .page_state import connect_signals

        connect_signals()
