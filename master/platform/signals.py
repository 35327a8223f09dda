"""Every save or delete of the system settings row, whoever makes it, clears the cached
settings now and again after commit (a read racing the transaction may have cached the old
row in between)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import SystemSettings
from .services import system_settings_cache_clear


@receiver([post_save, post_delete], sender=SystemSettings)
def _system_settings_changed(**kwargs):
    system_settings_cache_clear()
    transaction.on_commit(system_settings_cache_clear)
