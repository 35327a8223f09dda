"""/api/support/tickets on a company site and on the root domain: opening, who sees what,
replies and internal notes, attachments, status, merge, reopen and the satisfaction survey."""

import re
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from support.tickets import services
from support.tickets.models import Ticket, TicketStatus
from tests.conftest import COMPANY_A, COMPANY_B, user_in

from .conftest import PNG, open_ticket

pytestmark = pytest.mark.django_db


def test_a_company_user_opens_a_ticket_and_support_is_emailed(
    a_user, company_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = a_user.post(
            "/api/support/tickets",
            {"subject": "Error al cerrar", "body": "Detalle", "category": "bug", "priority": "high"},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(rf"SUP-{timezone.localdate().year}-\d{{6}}", body["number"])
    assert body["status"] == "new" and body["requester_email"] == COMPANY_A.user_email
    assert "company" not in body and "assignee" not in body  # staff-only fields
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.company == company_a and ticket.source == "api"
    assert [m.to for m in mailoutbox] == [[f"soporte@{settings.BASE_DOMAIN}"]]
    assert body["number"] in mailoutbox[0].subject and "/admin/support_tickets/ticket/" in mailoutbox[0].body


def test_numbers_follow_each_other(company_a):
    first, second = (open_ticket(company_a, COMPANY_A.user_email) for _ in range(2))
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_bad_input_answers_400_on_the_field(a_user):
    response = a_user.post("/api/support/tickets", {"subject": "", "category": "weather"}, format="json")
    assert response.status_code == 400
    assert {"subject", "body", "category"} <= set(response.json())


def test_a_plain_user_sees_only_its_own_tickets_and_an_admin_all_of_the_company(
    a_user, a_admin, company_a, a_ticket
):
    theirs = open_ticket(company_a, COMPANY_A.admin_email, subject="Factura de noviembre", category="billing")
    assert [t["number"] for t in a_user.get("/api/support/tickets").json()["results"]] == [a_ticket.number]
    assert a_user.get(f"/api/support/tickets/{theirs.pk}").status_code == 404
    numbers = {t["number"] for t in a_admin.get("/api/support/tickets/").json()["results"]}
    assert numbers == {a_ticket.number, theirs.number}


def test_company_b_never_sees_company_a_tickets(b_admin, a_ticket):
    assert b_admin.get(f"/api/support/tickets/{a_ticket.pk}").status_code == 404
    assert b_admin.get(f"/api/support/tickets/{a_ticket.pk}/messages").status_code == 404
    assert (
        b_admin.put(f"/api/support/tickets/{a_ticket.pk}", {"subject": "x"}, format="json").status_code == 404
    )
    assert b_admin.post(f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "hola"}).status_code == 404
    for search in (a_ticket.number, "contrato"):
        assert b_admin.get("/api/support/tickets", {"search": search}).json()["results"] == []


def test_staff_see_every_company_and_company_tokens_do_not_work_on_the_root(
    staff_api, company_a, company_b, a_user, root_host
):
    open_ticket(company_a, COMPANY_A.user_email)
    open_ticket(company_b, COMPANY_B.user_email)
    companies = {t["company"] for t in staff_api.get("/api/support/tickets").json()["results"]}
    assert companies == {"alpha", "beta"}
    a_user.defaults["HTTP_HOST"] = root_host
    assert a_user.get("/api/support/tickets").status_code in (401, 403)


def test_staff_reply_is_the_first_response_and_is_emailed_internal_notes_are_not_seen(
    staff_api, a_user, a_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = staff_api.post(
            f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "Revisar logs", "internal": True}
        )
        reply = staff_api.post(f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "Ya está corregido."})
    assert note.status_code == reply.status_code == 201
    a_ticket.refresh_from_db()
    assert a_ticket.status == TicketStatus.OPEN and a_ticket.first_response_at is not None
    assert [m.to for m in mailoutbox] == [[COMPANY_A.user_email]]
    assert "Ya está corregido." in mailoutbox[0].body and "Revisar logs" not in mailoutbox[0].body
    assert f"//alpha.{settings.BASE_DOMAIN}" in mailoutbox[0].body
    seen = [m["body"] for m in a_user.get(f"/api/support/tickets/{a_ticket.pk}/messages").json()]
    assert "Revisar logs" not in seen and "Ya está corregido." in seen
    staff_seen = [m["body"] for m in staff_api.get(f"/api/support/tickets/{a_ticket.pk}/messages").json()]
    assert "Revisar logs" in staff_seen


def test_a_company_user_cannot_write_internal_notes_or_assign(a_user, a_ticket, staff_user):
    response = a_user.post(f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "x", "internal": True})
    assert response.status_code == 400 and "internal" in response.json()
    response = a_user.put(f"/api/support/tickets/{a_ticket.pk}", {"assignee": staff_user.pk}, format="json")
    assert response.status_code == 400 and "assignee" in response.json()


def test_staff_assign_and_change_priority_recomputes_the_due_times(staff_api, a_ticket, staff_user):
    response = staff_api.put(
        f"/api/support/tickets/{a_ticket.pk}",
        {"priority": "urgent", "assignee": staff_user.pk},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee_name"] == "Triboka Staff"
    a_ticket.refresh_from_db()
    assert a_ticket.first_response_due == a_ticket.created_at + timedelta(hours=1)
    assert a_ticket.resolution_due == a_ticket.created_at + timedelta(hours=8)


def test_an_attachment_is_content_checked_and_only_the_ticket_readers_download_it(
    a_user, b_admin, a_ticket, company_a
):
    html = SimpleUploadedFile("factura.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")
    refused = a_user.post(f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "va", "files": [html]})
    assert refused.status_code == 400 and "HTML" in str(refused.json()["files"])
    png = SimpleUploadedFile("captura.png", PNG, "image/png")
    response = a_user.post(
        f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "captura", "files": [png]}
    )
    assert response.status_code == 201, response.content
    file = response.json()["attachments"][0]
    stored = a_ticket.messages.get(pk=response.json()["id"]).attachments.get().file.name
    assert stored.startswith(f"{company_a.schema_name}/support/{a_ticket.number}/")
    assert Path(settings.MEDIA_ROOT, stored).read_bytes() == PNG
    download = a_user.get(file["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG
    assert b_admin.get(file["url"]).status_code == 404


def test_sla_due_times_and_breaches_with_a_frozen_clock(company_a, staff_user):
    opened = timezone.now().replace(microsecond=0) - timedelta(days=1)
    with mock.patch("django.utils.timezone.now", return_value=opened):
        ticket = open_ticket(company_a, COMPANY_A.user_email, priority="high")
    assert ticket.first_response_due == opened + timedelta(hours=4)
    assert ticket.resolution_due == opened + timedelta(hours=24)
    with mock.patch("django.utils.timezone.now", return_value=opened + timedelta(hours=3)):
        assert not ticket.first_response_late() and not ticket.resolution_late()
        assert not Ticket.objects.sla_breached().filter(pk=ticket.pk).exists()
    with mock.patch("django.utils.timezone.now", return_value=opened + timedelta(hours=5)):
        assert ticket.first_response_late()
        assert Ticket.objects.first_response_breached().filter(pk=ticket.pk).exists()
        services.ticket_reply(ticket=ticket, author=services.Author.staff(staff_user), body="Mirando")
    ticket.refresh_from_db()
    assert ticket.first_response_at == opened + timedelta(hours=5)
    assert ticket.first_response_late()  # answered late stays late
    with mock.patch("django.utils.timezone.now", return_value=opened + timedelta(hours=20)):
        services.ticket_status_set(ticket=ticket, status=TicketStatus.RESOLVED)
    assert not ticket.resolution_late()
    assert Ticket.objects.resolution_breached(opened + timedelta(days=5)).filter(pk=ticket.pk).count() == 0


def test_a_waiting_ticket_reopens_with_the_customer_reply(a_user, staff_api, a_ticket):
    staff_api.post(
        f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "¿Qué navegador?", "status": "waiting"}
    )
    a_ticket.refresh_from_db()
    assert a_ticket.status == TicketStatus.WAITING
    a_user.post(f"/api/support/tickets/{a_ticket.pk}/messages", {"body": "Chrome"})
    a_ticket.refresh_from_db()
    assert a_ticket.status == TicketStatus.OPEN


def test_resolving_sends_the_survey_and_the_requester_answers_it(
    a_user, staff_api, a_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    early = a_user.post(f"/api/support/tickets/{a_ticket.pk}/satisfaction", {"rating": 5}, format="json")
    assert early.status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        staff_api.put(f"/api/support/tickets/{a_ticket.pk}", {"status": "resolved"}, format="json")
    survey = mailoutbox[-1]
    assert (
        survey.to == [COMPANY_A.user_email] and f"/support/tickets/{a_ticket.pk}/#satisfaction" in survey.body
    )
    assert a_user.post(f"/api/support/tickets/{a_ticket.pk}/satisfaction", {"rating": 9}).status_code == 400
    response = a_user.post(
        f"/api/support/tickets/{a_ticket.pk}/satisfaction", {"rating": 4, "comment": "Rápido"}, format="json"
    )
    assert response.status_code == 200 and response.json()["satisfaction"] == 4
    assert staff_api.get(f"/api/support/tickets/{a_ticket.pk}").json()["satisfaction"] == 4


def test_reopen_within_the_window_only(a_user, staff_api, a_ticket):
    staff_api.put(f"/api/support/tickets/{a_ticket.pk}", {"status": "resolved"}, format="json")
    response = a_user.put(f"/api/support/tickets/{a_ticket.pk}", {"status": "open"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "open"
    assert response.json()["reopened_count"] == 1
    staff_api.put(f"/api/support/tickets/{a_ticket.pk}", {"status": "resolved"}, format="json")
    Ticket.objects.filter(pk=a_ticket.pk).update(resolved_at=timezone.now() - timedelta(days=15))
    late = a_user.post(f"/api/support/tickets/{a_ticket.pk}/reopen")
    assert late.status_code == 409 and late.json()["code"] == "reopen_window_over"
    assert services.tickets_close_resolved() == 1
    a_ticket.refresh_from_db()
    assert a_ticket.status == TicketStatus.CLOSED


def test_staff_merge_duplicates_of_one_company_only(staff_api, company_a, company_b, a_ticket, a_user):
    duplicate = open_ticket(company_a, COMPANY_A.user_email, body="Otra vez el error")
    other_company = open_ticket(company_b, COMPANY_B.user_email)
    refused = staff_api.post(f"/api/support/tickets/{duplicate.pk}/merge", {"into": other_company.pk})
    assert refused.status_code == 400 and "into" in refused.json()
    response = staff_api.post(f"/api/support/tickets/{duplicate.pk}/merge", {"into": a_ticket.pk})
    assert response.status_code == 200, response.content
    duplicate.refresh_from_db()
    assert duplicate.status == TicketStatus.CLOSED and duplicate.merged_into == a_ticket
    bodies = [m["body"] for m in a_user.get(f"/api/support/tickets/{a_ticket.pk}/messages").json()]
    assert "Otra vez el error" in bodies
    assert a_user.post(f"/api/support/tickets/{duplicate.pk}/merge", {"into": a_ticket.pk}).status_code == 404


def test_staff_open_a_ticket_for_a_company_user(staff_api, company_b):
    response = staff_api.post(
        "/api/support/tickets",
        {
            "company": "beta",
            "requester_email": COMPANY_B.user_email,
            "subject": "Llamada",
            "body": "Resumen de la llamada",
            "category": "question",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["requester_email"] == COMPANY_B.user_email
    unknown = staff_api.post(
        "/api/support/tickets",
        {
            "company": "beta",
            "requester_email": "nadie@beta.test",
            "subject": "x",
            "body": "y",
            "category": "bug",
        },
        format="json",
    )
    assert unknown.status_code == 400 and "requester_email" in unknown.json()


def test_the_requester_reference_survives_the_users_deletion(company_a, a_ticket):
    from django_tenants.utils import tenant_context

    from triboka.accounts.services import user_delete

    with tenant_context(company_a):
        user_delete(user=user_in(company_a, COMPANY_A.user_email))
    a_ticket.refresh_from_db()
    assert a_ticket.requester_email == COMPANY_A.user_email
