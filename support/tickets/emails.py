"""The e-mails of a ticket: the support address hears of new tickets and requesters' replies;
the requester hears of staff replies, status changes and gets the satisfaction survey.

Links point at the ticket's page on the company's own site (sign-in required there, and a
user of another company gets a 404), or at the master admin for staff. Internal notes are
never e-mailed. Each is sent in the requester's language when their user still exists.
"""

import logging

from django.conf import settings
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from master.companies.models import company_url
from master.platform.services import system_settings

logger = logging.getLogger(__name__)


def ticket_page_url(ticket) -> str:
    path = reverse("support_ticket_detail", kwargs={"pk": ticket.pk}, urlconf=settings.ROOT_URLCONF)
    return company_url(ticket.company.primary_domain, path)


def ticket_admin_url(ticket) -> str:
    path = reverse(
        "admin:support_tickets_ticket_change", args=[ticket.pk], urlconf=settings.PUBLIC_SCHEMA_URLCONF
    )
    return company_url(settings.BASE_DOMAIN, path)


def ticket_opened(ticket) -> None:
    message = ticket.messages.order_by("pk").first()
    _send_to_support(ticket, "support/email/ticket_opened.txt", _("New ticket"), {"message": message})


def requester_replied(ticket, message) -> None:
    _send_to_support(ticket, "support/email/requester_replied.txt", _("Customer reply"), {"message": message})


def ticket_reopened(ticket) -> None:
    _send_to_support(ticket, "support/email/requester_replied.txt", _("Reopened"), {"message": None})


def staff_replied(ticket, message) -> None:
    _send_to_requester(ticket, "support/email/staff_replied.txt", _("New reply"), {"message": message})


def status_changed(ticket) -> None:
    _send_to_requester(ticket, "support/email/status_changed.txt", ticket.get_status_display(), {})


def satisfaction_survey(ticket) -> None:
    _send_to_requester(
        ticket,
        "support/email/satisfaction_survey.txt",
        _("How did we do?"),
        {"survey_url": ticket_page_url(ticket) + "#satisfaction"},
    )


def _send_to_support(ticket, template: str, label: str, context: dict) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        subject = f"[{ticket.number}] {label}: {ticket.subject}"
        body = render_to_string(template, {"ticket": ticket, "url": ticket_admin_url(ticket), **context})
    _send(subject, body, system_settings().support_email)


def _send_to_requester(ticket, template: str, label: str, context: dict) -> None:
    with translation.override(_requester_language(ticket)):
        subject = f"[{ticket.number}] {label}: {ticket.subject}"
        body = render_to_string(template, {"ticket": ticket, "url": ticket_page_url(ticket), **context})
    _send(subject, body, ticket.requester_email, reply_to=system_settings().support_email)


def _send(subject: str, body: str, recipient: str, reply_to: str | None = None) -> None:
    message = mail.EmailMessage(subject, body, None, [recipient], reply_to=[reply_to] if reply_to else None)
    try:
        message.send()
    except OSError:  # the change is saved; a mail server down must not undo it
        logger.exception("Support e-mail to %s not sent: %s", recipient, subject)


def _requester_language(ticket) -> str:
    from triboka.accounts.models import User

    with schema_context(ticket.company.schema_name):
        language = User.objects.filter(pk=ticket.requester_user_id).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE
