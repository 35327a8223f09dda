"""Billing e-mails to a company's administrators, each in the reader's language.

Callers send inside the transaction that records the e-mail (an invoice, a reminder row):
if the mail server refuses, the record rolls back with it and the daily job tries again the
next day, instead of noting an e-mail nobody received.
"""

import logging
import smtplib
from datetime import date

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext as _

from triboka.errors import ApplicationError

from .models import Invoice, InvoiceStatus
from .providers import payment_provider
from .selectors import Recipient, company_admins

logger = logging.getLogger(__name__)


def company_email_send(*, company, template: str, subject, subject_params: dict, context: dict) -> list[str]:
    """E-mail ``template`` to the company's active administrators; returns their addresses.

    ``subject`` is a lazy translation with ``%(name)s`` placeholders filled from
    ``subject_params`` (dates written in the reader's language). An unpaid invoice in the
    context brings its payment instructions.
    """
    recipients = company_admins(company)
    if not recipients:
        logger.warning("Company %s has no active administrator to e-mail %s to", company.slug, template)
        return []
    messages = [_message(recipient, template, subject, subject_params, context) for recipient in recipients]
    try:
        mail.get_connection().send_messages(messages)
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("Billing e-mail %s to %s failed: %s", template, company.slug, error)
        raise ApplicationError(
            _(
                "The e-mail to the company could not be sent (%(error)s); nothing was changed. "
                "Try again later."
            )
            % {"error": error},
            code="mail_failed",
            status_code=503,
        ) from error
    return [recipient.email for recipient in recipients]


def _message(recipient: Recipient, template, subject, subject_params, context) -> mail.EmailMessage:
    with translation.override(recipient.language):
        context = {**context, "contact": settings.BILLING_CONTACT_EMAIL}
        invoice = context.get("invoice")
        if isinstance(invoice, Invoice) and invoice.status in (InvoiceStatus.ISSUED, InvoiceStatus.OVERDUE):
            context["instructions"] = payment_provider(invoice.provider).instructions(invoice)
        body = render_to_string(template, context)
        params = {
            name: formats.date_format(value, "DATE_FORMAT") if isinstance(value, date) else value
            for name, value in subject_params.items()
        }
        return mail.EmailMessage(
            subject=str(subject) % params,
            body=body,
            to=[recipient.email],
            reply_to=[settings.BILLING_CONTACT_EMAIL],
        )
