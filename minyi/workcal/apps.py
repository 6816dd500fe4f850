from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "minyi.workcal"
    label = "workcal"
    verbose_name = _("Working-day calendar")

    def ready(self) -> None:
        from minyi.workcal import checks  # noqa: F401  (registers the system check)
