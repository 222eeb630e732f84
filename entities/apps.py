from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EntitiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "entities"
    verbose_name = _("Entities")

    def ready(self):
        from .page_state import connect_signals

        connect_signals()
