from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstancesConfig(AppConfig):
    name = "master.instances"
    label = "instances"
    verbose_name = _("Instances")
