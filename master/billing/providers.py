"""Payment providers: how a client pays an invoice, behind one small interface.

Each provider says how to pay (``instructions``, printed on the invoice e-mail) and records
money it received (``payment_record``, which counts each of its references once). The ones
in use are listed, as dotted paths, in settings.BILLING_PAYMENT_PROVIDERS; the first is the
one new invoices name. A provider that notifies payments by webhook (a card processor) adds
a view that checks the notification's signature and calls its ``payment_record``.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.loader import render_to_string
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Invoice, Payment


class PaymentProvider:
    name = ""  # stored on invoices and payments: never change it once used
    label = ""

    def instructions(self, invoice: Invoice) -> str:
        """How to pay this invoice, as plain text in the active language."""
        raise NotImplementedError

    def payment_record(
        self,
        *,
        invoice: Invoice,
        amount_usd: Decimal,
        reference: str,
        received_on: date | None = None,
        recorded_by: str = "",
        notes: str = "",
    ) -> Payment:
        from .services import payment_record

        return payment_record(
            invoice=invoice,
            provider=self.name,
            amount_usd=amount_usd,
            reference=reference,
            received_on=received_on,
            recorded_by=recorded_by,
            notes=notes,
        )


class BankTransferProvider(PaymentProvider):
    """A transfer or deposit to Triboka's bank account, how most Ecuadorian clients pay.
    Staff see it arrive on the statement and record it (admin or master API) with the bank's
    reference of the transfer."""

    name = "bank_transfer"
    label = gettext_lazy("Bank transfer")

    def instructions(self, invoice: Invoice) -> str:
        account = {
            "bank": settings.BILLING_BANK_NAME,
            "type": settings.BILLING_BANK_ACCOUNT_TYPE,
            "number": settings.BILLING_BANK_ACCOUNT_NUMBER,
            "holder": settings.BILLING_BANK_ACCOUNT_HOLDER,
            "ruc": settings.BILLING_BANK_HOLDER_RUC,
        }
        return render_to_string(
            "billing/bank_transfer_instructions.txt",
            {"invoice": invoice, "account": account, "contact": settings.BILLING_CONTACT_EMAIL},
        ).strip()


def payment_providers() -> dict[str, PaymentProvider]:
    """The configured providers by name, in the order of the setting (read at each call, so
    a changed setting applies without a restart of the tests)."""
    providers = {}
    for path in settings.BILLING_PAYMENT_PROVIDERS:
        provider = import_string(path)()
        providers[provider.name] = provider
    if not providers:
        raise ImproperlyConfigured("BILLING_PAYMENT_PROVIDERS names no payment provider.")
    return providers


def payment_provider(name: str) -> PaymentProvider:
    providers = payment_providers()
    if name not in providers:
        raise ValidationError(
            {"provider": _("Choose one of: %(choices)s.") % {"choices": ", ".join(providers)}}
        )
    return providers[name]


def default_provider() -> PaymentProvider:
    return next(iter(payment_providers().values()))
