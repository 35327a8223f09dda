"""The daily billing job: invoice the renewals, remind, and let the unpaid expire.

Runs in the public schema (master.billing.tasks.billing_daily, 06:07 America/Guayaquil) on
the licenses in force of active companies (selectors.licenses_in_force). Each step finds
only what is left to do, so a second run the same day changes nothing, and each license is
handled in its own transaction: one that fails (a mail server refusing) is logged and taken
again the next day, without holding back the others.

1. Invoices past their due date become overdue.
2. An unpaid invoice whose period started more than LICENSE_GRACE_DAYS ago is void: its
   license expired, enforcement has closed the site (master/licensing/enforcement.py), and
   the renewal it asked for will not happen. The license is not suspended (licensing has no
   "expired" status: expiry is its date); paying later takes a new invoice from staff.
3. Licenses whose site closed in the last CLOSED_NOTICE_WINDOW_DAYS get one notice.
4. Auto-renew licenses expiring within BILLING_RENEWAL_LEAD_DAYS (and not past their grace
   period) get the invoice of their next period, once: any invoice of that period, even a
   void one, stops the job from issuing another (staff may, through the API).
5. Reminders 30, 7 and 1 days before the expiry, once each: to pay the pending invoice
   (auto-renew) or to ask for a renewal (the others).

Renewal itself happens when the payment is recorded (services.payment_record).
"""

import logging
from datetime import date, timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_tenants.utils import get_public_schema_name, schema_context

from master.licensing.models import License
from master.platform.services import system_settings

from . import events
from .emails import company_email_send
from .models import Invoice, InvoiceStatus, Reminder, ReminderKind, ReminderStage, VoidReason
from .selectors import licenses_in_force
from .services import invoice_issue, invoice_void, reminder_stage_for

logger = logging.getLogger(__name__)

# A site closed longer ago than this gets no notice: it closed before the job knew of it
# (the first run on an existing database must not write to long-gone clients).
CLOSED_NOTICE_WINDOW_DAYS = 7


def billing_daily_run(*, today: date | None = None) -> dict[str, int]:
    """Every step, in order; returns how many rows each one changed."""
    today = today or timezone.localdate()
    with schema_context(get_public_schema_name()):
        return {
            "overdue": invoices_mark_overdue(today=today),
            "voided": len(invoices_void_unpaid(today=today)),
            "closed": len(licenses_closed_notify(today=today)),
            "issued": len(invoices_issue_due(today=today)),
            "reminders": len(reminders_send(today=today)),
        }


def _closed_before(today: date) -> date:
    """A license that expired before this day has its site closed (past the grace period)."""
    return today - timedelta(days=system_settings().license_grace_days)


def _each(rows, step, what: str) -> list:
    """``step(row)`` for each row, keeping what it returns; a failure is logged and skipped."""
    done = []
    for row in rows:
        try:
            result = step(row)
        except ValidationError as error:  # the row changed meanwhile (paid, renewed, suspended)
            logger.info("Billing: %s %s skipped: %s", what, row, " ".join(error.messages))
        except Exception:
            logger.exception("Billing: %s %s failed; the next run takes it again", what, row)
        else:
            if result is not None:
                done.append(result)
    return done


def invoices_mark_overdue(*, today: date) -> int:
    return Invoice.objects.filter(status=InvoiceStatus.ISSUED, due_on__lt=today).update(
        status=InvoiceStatus.OVERDUE, updated_at=timezone.now()
    )


def invoices_void_unpaid(*, today: date) -> list[Invoice]:
    stale = Invoice.objects.unpaid().filter(period_start__lt=_closed_before(today)).order_by("pk")
    return _each(
        stale, lambda invoice: invoice_void(invoice=invoice, reason=VoidReason.UNPAID), "voiding invoice"
    )


def licenses_closed_notify(*, today: date) -> list[Reminder]:
    closed_before = _closed_before(today)
    licenses = (
        licenses_in_force(today=today)
        .filter(
            expires_on__lt=closed_before,
            expires_on__gte=closed_before - timedelta(days=CLOSED_NOTICE_WINDOW_DAYS),
        )
        .exclude(
            Exists(
                Reminder.objects.filter(
                    license=OuterRef("pk"), expires_on=OuterRef("expires_on"), stage=ReminderStage.CLOSED
                )
            )
        )
    )
    return _each(licenses, license_closed_notify, "closing notice of license")


def _reminder_claim(license: License, *, stage: int, kind: str, invoice: Invoice | None) -> Reminder | None:
    """The reminder's row, or None when another run has sent it (the unique constraint
    decides; the row stays locked until this transaction commits)."""
    try:
        with transaction.atomic():
            return Reminder.objects.create(
                license=license,
                company=license.company,
                expires_on=license.expires_on,
                stage=stage,
                kind=kind,
                invoice=invoice,
            )
    except IntegrityError:
        return None


@transaction.atomic
def license_closed_notify(license: License) -> Reminder | None:
    """Tell the company its site is closed, naming the renewal invoice that went unpaid."""
    invoice = Invoice.objects.filter(
        license=license, period_start=license.expires_on, void_reason=VoidReason.UNPAID
    ).first()
    reminder = _reminder_claim(license, stage=ReminderStage.CLOSED, kind=ReminderKind.CLOSED, invoice=invoice)
    if reminder is None:
        return None
    reminder.sent_to = company_email_send(
        company=license.company,
        template="billing/email/license_closed.txt",
        subject=gettext_lazy("Your Triboka license expired on %(day)s"),
        subject_params={"day": license.expires_on},
        context={"license": license, "invoice": invoice, "grace_days": system_settings().license_grace_days},
    )
    reminder.save(update_fields=["sent_to"])
    transaction.on_commit(partial(events.license_expired, license))
    return reminder


def invoices_issue_due(*, today: date) -> list[Invoice]:
    due = (
        licenses_in_force(today=today)
        .filter(
            auto_renew=True,
            expires_on__lte=today + timedelta(days=settings.BILLING_RENEWAL_LEAD_DAYS),
            expires_on__gte=_closed_before(today),
        )
        .exclude(Exists(Invoice.objects.filter(license=OuterRef("pk"), period_start=OuterRef("expires_on"))))
        .order_by("expires_on", "pk")
    )
    return _each(due, lambda license: invoice_issue(license=license, today=today), "invoicing license")


def reminders_send(*, today: date) -> list[Reminder]:
    licenses = list(
        licenses_in_force(today=today).filter(
            expires_on__gte=today, expires_on__lte=today + timedelta(days=max(ReminderStage.values))
        )
    )
    sent = set(Reminder.objects.filter(license__in=licenses).values_list("license_id", "expires_on", "stage"))
    due = [
        (license, stage)
        for license in licenses
        if (stage := reminder_stage_for((license.expires_on - today).days)) is not None
        and (license.pk, license.expires_on, stage) not in sent
    ]
    return _each(due, lambda pair: reminder_send(pair[0], stage=pair[1], today=today), "reminder for")


@transaction.atomic
def reminder_send(license: License, *, stage: int, today: date) -> Reminder | None:
    """Remind to pay the pending invoice, or to renew a license that does not renew by
    itself. An auto-renew license without a pending invoice gets nothing: its invoice is on
    its way (the invoice e-mail is that day's reminder), or staff voided it on purpose."""
    invoice = Invoice.objects.unpaid().filter(license=license, period_start=license.expires_on).first()
    if license.auto_renew and invoice is None:
        return None
    kind = ReminderKind.PAY if invoice else ReminderKind.RENEW
    reminder = _reminder_claim(license, stage=stage, kind=kind, invoice=invoice)
    if reminder is None:
        return None
    days_left = (license.expires_on - today).days
    reminder.sent_to = company_email_send(
        company=license.company,
        template=f"billing/email/reminder_{kind}.txt",
        subject=(
            gettext_lazy("Reminder: invoice %(number)s for your Triboka license is pending")
            if invoice
            else gettext_lazy("Your Triboka license expires on %(day)s")
        ),
        subject_params={"number": invoice.number if invoice else "", "day": license.expires_on},
        context={
            "license": license,
            "invoice": invoice,
            "days_left": days_left,
            "grace_days": system_settings().license_grace_days,
        },
    )
    reminder.save(update_fields=["sent_to"])
    transaction.on_commit(partial(events.license_expiring, license, days_left=days_left))
    return reminder
