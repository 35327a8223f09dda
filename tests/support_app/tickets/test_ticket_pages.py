"""The ticket pages of a company site and the staff's ticket page in the master admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from support.tickets import services
from support.tickets.models import CannedReply, Ticket, TicketStatus
from tests.conftest import COMPANY_A, COMPANY_B

from .conftest import PNG, company_pages, open_ticket

pytestmark = pytest.mark.django_db


def test_a_user_opens_a_ticket_from_the_page_with_a_file(company_a):
    client = company_pages(company_a, COMPANY_A.user_email)
    page = client.get("/support/tickets/new/")
    assert page.status_code == 200 and b"data-suggest-articles" in page.content
    response = client.post(
        "/support/tickets/new/",
        {
            "subject": "La balanza no envía pesos",
            "category": "bug",
            "priority": "high",
            "module": "iot",
            "body": "Desde ayer no llegan lecturas.",
            "files": [SimpleUploadedFile("foto.png", PNG, "image/png")],
        },
    )
    ticket = Ticket.objects.get(subject="La balanza no envía pesos")
    assert response.status_code == 302 and response["Location"] == f"/support/tickets/{ticket.pk}/"
    detail = client.get(response["Location"])
    assert ticket.number in detail.content.decode() and b"foto.png" in detail.content
    assert ticket.module == "iot" and ticket.source == "web"


def test_the_form_shows_field_errors(company_a):
    response = company_pages(company_a, COMPANY_A.user_email).post(
        "/support/tickets/new/", {"category": "bug"}
    )
    assert response.status_code == 400 and b'class="error"' in response.content


def test_internal_notes_never_reach_the_company_page(company_a, staff_user):
    ticket = open_ticket(company_a, COMPANY_A.user_email)
    services.ticket_reply(
        ticket=ticket, author=services.Author.staff(staff_user), body="NOTA-INTERNA", internal=True
    )
    services.ticket_reply(ticket=ticket, author=services.Author.staff(staff_user), body="Respuesta visible")
    page = (
        company_pages(company_a, COMPANY_A.user_email).get(f"/support/tickets/{ticket.pk}/").content.decode()
    )
    assert "Respuesta visible" in page and "NOTA-INTERNA" not in page


def test_the_requester_replies_rates_and_reopens_from_the_page(company_a, staff_user):
    ticket = open_ticket(company_a, COMPANY_A.user_email)
    client = company_pages(company_a, COMPANY_A.user_email)
    assert client.post(f"/support/tickets/{ticket.pk}/", {"body": "Más datos"}).status_code == 302
    services.ticket_status_set(ticket=ticket, status=TicketStatus.RESOLVED)
    page = client.get(f"/support/tickets/{ticket.pk}/").content.decode()
    assert 'id="satisfaction"' in page
    assert client.post(f"/support/tickets/{ticket.pk}/satisfaction/", {"rating": "5"}).status_code == 302
    assert client.post(f"/support/tickets/{ticket.pk}/reopen/").status_code == 302
    ticket.refresh_from_db()
    assert ticket.satisfaction.rating == 5 and ticket.status == TicketStatus.OPEN


def test_another_company_and_another_user_get_404(company_a, company_b):
    ticket = open_ticket(company_a, COMPANY_A.admin_email)
    assert (
        company_pages(company_a, COMPANY_A.user_email).get(f"/support/tickets/{ticket.pk}/").status_code
        == 404
    )
    b_client = company_pages(company_b, COMPANY_B.admin_email)
    assert b_client.get(f"/support/tickets/{ticket.pk}/").status_code == 404
    assert b_client.post(f"/support/tickets/{ticket.pk}/reopen/").status_code == 404
    listing = b_client.get("/support/tickets/", {"search": ticket.number}).content.decode()
    assert f'href="/support/tickets/{ticket.pk}/"' not in listing
    assert company_pages(company_a, COMPANY_A.admin_email).get("/support/tickets/").status_code == 200


def test_staff_work_a_ticket_in_the_admin(
    company_a, staff_pages, mailoutbox, django_capture_on_commit_callbacks
):
    ticket = open_ticket(company_a, COMPANY_A.user_email)
    canned = CannedReply.objects.create(title="Gracias", body="Gracias por escribirnos.")
    listing = staff_pages.get("/admin/support_tickets/ticket/?sla=breached")
    assert listing.status_code == 200
    page = staff_pages.get(f"/admin/support_tickets/ticket/{ticket.pk}/change/")
    assert page.status_code == 200 and canned.body in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_pages.post(
            f"/admin/support_tickets/ticket/{ticket.pk}/reply/",
            {"body": "Lo revisamos hoy.", "status": "waiting"},
        )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.WAITING and ticket.first_response_at is not None
    assert mailoutbox[-1].to == [COMPANY_A.user_email]
