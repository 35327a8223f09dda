from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """The company's tamper-evident traceability ledger: a hash chain of every traceability event."""

    name = "erp.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
