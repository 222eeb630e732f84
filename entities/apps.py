from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "entities"
    verbose_name = "實體"

    def ready(self):
        from .page_state import connect_signals

        connect_signals()
