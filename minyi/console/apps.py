from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The staff console (工作台): the desks of every role, the case page, lists and the leader home."""

    name = "minyi.console"
    label = "console"
    verbose_name = _("Staff console")
