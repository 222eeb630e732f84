from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "entities"
    verbose_name = "實體"

    def ready(self):
        from newsroom.public_pages import register_state_source

        from .page_state import connect_signals, state_columns

        register_state_source(state_columns)
        connect_signals()
