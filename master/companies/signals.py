"""Decoupled side effects that must follow every write, whoever makes it.

* Routing: a change to a company, domain or license clears this worker's host cache now and
  again after commit (so a request racing the transaction cannot cache the old state).
* Directory: every save of a company user (admin, API, login's last_login, password
  reset) is mirrored into the public directory in the same transaction.
"""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from master.licensing.models import License
from triboka.accounts.models import User

from . import services
from .models import Company, Domain
from .routing import routing_cache_clear


@receiver([post_save, post_delete], sender=Company)
@receiver([post_save, post_delete], sender=Domain)
@receiver([post_save, post_delete], sender=License)  # routes carry the license's terms
def _routing_changed(**kwargs):
    routing_cache_clear()
    transaction.on_commit(routing_cache_clear)


@receiver(post_save, sender=User)
def _user_saved(instance, raw=False, **kwargs):
    if not raw:
        services.directory_sync_user(user=instance)


@receiver(post_delete, sender=User)
def _user_deleted(instance, **kwargs):
    services.directory_remove_user(user_id=instance.pk)
