"""The billing events, each called after the transaction that made it true has committed
(from the places its docstring names) and published to the webhook subscribers
(master/webhooks), so a subscriber never hears of a payment that was rolled back."""

import logging

from master.webhooks import events as webhooks
from master.webhooks.models import Event
from master.webhooks.services import event_publish

logger = logging.getLogger(__name__)


def invoice_paid(invoice) -> None:
    """An invoice's payments reached its total (services.payment_record, or an invoice of
    nothing to pay, issued paid)."""
    logger.info("Invoice %s paid (license %s)", invoice.number, invoice.license_code)
    if invoice.company is None:  # the company was deleted since
        return
    event_publish(
        Event.INVOICE_PAID,
        company=invoice.company,
        data={
            "invoice": {
                "number": invoice.number,
                "total_usd": str(invoice.total_usd),
                "paid_at": invoice.paid_at,
                "period_start": invoice.period_start,
                "period_end": invoice.period_end,
            },
            "license": invoice.license_code,
        },
    )


def license_expiring(license, *, days_left: int) -> None:
    """A reminder was sent: the license expires in ``days_left`` days (30, 7 or 1; fewer when
    the job caught up) and is not renewed yet (renewals.reminder_send, or
    services._invoice_email when the invoice e-mail is that stage's reminder)."""
    logger.info("License %s expires in %d days", license.code, days_left)
    webhooks.license_expiring(license, days_left=days_left)


def license_expired(license) -> None:
    """The license's grace period ended without renewal: its site is closed and any unpaid
    invoice for the next period is void (renewals.license_closed_notify)."""
    logger.info("License %s expired; its site is closed", license.code)
    webhooks.license_expired(license)
