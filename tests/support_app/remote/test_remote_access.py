"""Remote access by support: no consent, no access; with consent a marked, audited support
session as a dedicated agent that can never touch passwords, users, roles or the company's
admin; ended by the company's administrator or by time; and nothing of it crosses companies."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from master.companies.models import UserDirectoryEntry
from support.remote.models import EndReason, RemoteAccessGrant, SupportAgent
from support.remote.selectors import support_agent_user_ids
from support.remote.services import remote_access_expire_due
from tests.conftest import COMPANY_A, COMPANY_B, web_client
from triboka.accounts.models import Role, User
from triboka.audit.models import AuditAction

from .conftest import company_client, events, start_path, support_session


def grant_by_page(client, ticket, staff, minutes=120) -> RemoteAccessGrant:
    response = client.post(
        f"/support/remote/tickets/{ticket.pk}/grant/", {"staff": staff.pk, "minutes": minutes}
    )
    assert response.status_code == 302 and response["Location"] == f"/support/tickets/{ticket.pk}/"
    return RemoteAccessGrant.objects.get(ticket=ticket, ended_at__isnull=True)


@pytest.fixture
def grant_a(admin_a, ticket_a, staff) -> RemoteAccessGrant:
    return grant_by_page(admin_a, ticket_a, staff)


def test_without_consent_there_is_no_access(company_a, ticket_a, staff, staff_browser):
    forged = company_client(company_a).get("/support/remote/start/not-a-signed-token/")
    assert forged.status_code == 403
    ended = RemoteAccessGrant.objects.create(
        company=company_a,
        ticket=ticket_a,
        staff_user_id=staff.pk,
        staff_email=staff.email,
        staff_name="Triboka Staff",
        granted_by_user_id=1,
        granted_by_email=COMPANY_A.admin_email,
        starts_at=timezone.now() - timedelta(hours=3),
        ends_at=timezone.now() - timedelta(hours=1),
    )
    assert staff_browser.get(f"/admin/support_remote/remoteaccessgrant/{ended.pk}/open/").status_code == 403
    assert not events(company_a, AuditAction.SUPPORT_SESSION_STARTED)


def test_the_admin_grants_from_the_ticket_and_staff_open_an_audited_marked_session(
    company_a,
    company_b,
    admin_a,
    ticket_a,
    staff,
    staff_browser,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    page = admin_a.get(f"/support/tickets/{ticket_a.pk}/").content.decode()
    assert 'id="remote-access"' in page and f'value="{staff.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        grant = grant_by_page(admin_a, ticket_a, staff, minutes=60)
    assert [m.to for m in mailoutbox] == [[staff.email]] and ticket_a.number in mailoutbox[0].body
    assert grant.window == timedelta(hours=1) and grant.staff_email == staff.email
    assert [e.after["staff"] for e in events(company_a, AuditAction.SUPPORT_ACCESS_GRANTED)] == [staff.email]
    assert "data-grant" in admin_a.get("/").content.decode()  # the administrator's note, with its link
    listing = staff_browser.get("/admin/support_remote/remoteaccessgrant/").content.decode()
    assert f"/admin/support_remote/remoteaccessgrant/{grant.pk}/open/" in listing
    assert staff_browser.get(f"/admin/support_remote/remoteaccessgrant/{grant.pk}/change/").status_code == 200

    path = start_path(staff_browser, grant)
    browser = company_client(company_a)
    assert browser.get(path).status_code == 302
    page = browser.get("/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'data-support-session="{grant.pk}"' in body and grant.staff_name in body
    assert timezone.localtime(grant.ends_at).strftime("%H:%M") in body

    started = events(company_a, AuditAction.SUPPORT_SESSION_STARTED)
    requests = events(company_a, AuditAction.SUPPORT_SESSION_REQUEST)
    assert len(started) == 1 and started[0].object_id == str(grant.pk)
    assert [(e.after["method"], e.after["path"], e.after["status"]) for e in requests] == [("GET", "/", 200)]
    assert requests[0].after["staff"] == staff.email and requests[0].actor_email.startswith("soporte+")
    assert not events(company_b, AuditAction.SUPPORT_SESSION_REQUEST)
    assert company_client(company_a).get(path).status_code == 403  # the link works once


def test_the_agent_is_a_dedicated_user_without_password_nor_admin_site_nor_license_seat(
    company_a, grant_a, staff, staff_browser
):
    support_session(company_a, staff_browser, grant_a)
    agent_link = SupportAgent.objects.get(company=company_a, staff_user_id=staff.pk)
    with tenant_context(company_a):
        agent = User.objects.get(pk=agent_link.user_id)
        assert (agent.role, agent.is_staff, agent.is_superuser) == (Role.ADMIN, False, False)
        assert not agent.has_usable_password()
        assert agent.email not in (COMPANY_A.admin_email, COMPANY_A.user_email)
        assert User.objects.filter(is_active=True).exclude(pk__in=support_agent_user_ids()).count() == 2
    assert not UserDirectoryEntry.objects.filter(company=company_a, user_id=agent.pk).exists()
    support_session(company_a, staff_browser, grant_a)  # a second session: the same agent
    assert SupportAgent.objects.filter(company=company_a).count() == 1


def test_a_support_session_cannot_touch_passwords_users_roles_grants_or_the_admin(
    company_a, grant_a, ticket_a, staff, staff_browser
):
    browser = support_session(company_a, staff_browser, grant_a)
    with tenant_context(company_a):
        plain = User.objects.get(email=COMPANY_A.user_email)
    refused = [
        browser.get("/accounts/password/"),
        browser.post(
            "/accounts/password/", {"old_password": "x", "new_password1": "y", "new_password2": "y"}
        ),
        browser.get("/admin/"),
        browser.post("/users/invite/", {"email": "new@alpha.test", "role": "admin"}),
        browser.post(f"/users/{plain.pk}/edit/", {"role": "admin"}),
        browser.post("/api/v1/users/", {"email": "x@alpha.test", "role": "admin"}),
        browser.patch(f"/api/v1/users/{plain.pk}/", {"role": "admin"}, content_type="application/json"),
        browser.post(f"/support/remote/tickets/{ticket_a.pk}/grant/", {"staff": staff.pk, "minutes": 480}),
        browser.post(f"/support/remote/grants/{grant_a.pk}/end/"),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert refused[5].json()["code"] == "support_session_refused"
    assert browser.get("/users/").status_code == 200  # looking is troubleshooting
    with tenant_context(company_a):
        assert User.objects.get(pk=plain.pk).role == plain.role
        assert not User.objects.filter(email__in=["new@alpha.test", "x@alpha.test"]).exists()
    assert RemoteAccessGrant.objects.filter(company=company_a).count() == 1
    assert len(events(company_a, AuditAction.SUPPORT_SESSION_REFUSED)) == len(refused)


def test_the_admin_ends_it_and_the_next_request_is_refused_and_logged_out(
    company_a, admin_a, grant_a, staff_browser
):
    browser = support_session(company_a, staff_browser, grant_a)
    assert browser.get("/").status_code == 200
    assert admin_a.post(f"/support/remote/grants/{grant_a.pk}/end/").status_code == 302
    grant_a.refresh_from_db()
    assert grant_a.end_reason == EndReason.REVOKED and grant_a.ended_by_email == COMPANY_A.admin_email
    assert browser.get("/").status_code == 403
    assert browser.get("/")["Location"].startswith("/accounts/login/")  # logged out
    ended = events(company_a, AuditAction.SUPPORT_ACCESS_ENDED)
    assert [e.after["reason"] for e in ended] == [EndReason.REVOKED]
    assert staff_browser.get(f"/admin/support_remote/remoteaccessgrant/{grant_a.pk}/open/").status_code == 403
    agent = SupportAgent.objects.get(company=company_a)
    with tenant_context(company_a):  # outside a window the agent signs nobody in
        assert not User.objects.get(pk=agent.user_id).is_active


def test_it_ends_by_itself_at_the_end_of_its_window(
    company_a, admin_a, ticket_a, grant_a, staff, staff_browser
):
    browser = support_session(company_a, staff_browser, grant_a)
    RemoteAccessGrant.objects.filter(pk=grant_a.pk).update(
        starts_at=timezone.now() - timedelta(hours=2), ends_at=timezone.now() - timedelta(seconds=1)
    )
    assert browser.get("/lots/").status_code == 403
    assert browser.get("/lots/").status_code == 302  # logged out
    grant_a.refresh_from_db()
    assert grant_a.end_reason == EndReason.EXPIRED
    # A window nobody visits after its end is closed by the periodic job, recorded once too.
    other = grant_by_page(admin_a, ticket_a, staff, minutes=30)
    RemoteAccessGrant.objects.filter(pk=other.pk).update(
        starts_at=timezone.now() - timedelta(hours=1), ends_at=timezone.now() - timedelta(minutes=1)
    )
    assert remote_access_expire_due() == 1 and remote_access_expire_due() == 0
    ended = events(company_a, AuditAction.SUPPORT_ACCESS_ENDED)
    assert [e.after["reason"] for e in ended] == [EndReason.EXPIRED, EndReason.EXPIRED]


def test_a_grant_of_company_a_does_not_open_company_b(company_a, company_b, grant_a, staff_browser):
    path = start_path(staff_browser, grant_a)
    on_b = company_client(company_b)
    assert on_b.get(path).status_code == 403
    assert on_b.get("/").status_code == 302  # not signed in on B
    assert not SupportAgent.objects.filter(company=company_b).exists()
    assert not events(company_b, AuditAction.SUPPORT_SESSION_STARTED)
    assert company_client(company_a).get(path).status_code == 302  # the refusal on B did not use it


def test_company_b_admin_can_neither_see_nor_end_nor_use_a_grant_or_ticket_of_a(
    company_b, grant_a, ticket_a, staff
):
    admin_b = company_client(company_b, COMPANY_B.admin_email)
    listing = admin_b.get("/support/remote/grants/")
    assert listing.status_code == 200 and f'data-grant="{grant_a.pk}"' not in listing.content.decode()
    assert grant_a.staff_name not in admin_b.get("/").content.decode()
    assert admin_b.post(f"/support/remote/grants/{grant_a.pk}/end/").status_code == 404
    response = admin_b.post(
        f"/support/remote/tickets/{ticket_a.pk}/grant/", {"staff": staff.pk, "minutes": 60}
    )
    assert response.status_code == 404
    grant_a.refresh_from_db()
    assert grant_a.ended_at is None and RemoteAccessGrant.objects.filter(company__slug="beta").count() == 0


def test_a_plain_user_cannot_grant_nor_list_nor_end(company_a, grant_a, ticket_a, staff):
    plain = company_client(company_a, COMPANY_A.user_email)
    assert plain.get("/support/remote/grants/").status_code == 403
    assert (
        plain.post(
            f"/support/remote/tickets/{ticket_a.pk}/grant/", {"staff": staff.pk, "minutes": 60}
        ).status_code
        == 403
    )
    assert plain.post(f"/support/remote/grants/{grant_a.pk}/end/").status_code == 403
    assert "data-grant" not in plain.get("/").content.decode()
    assert RemoteAccessGrant.objects.filter(company=company_a).count() == 1


def test_only_the_named_staff_member_opens_the_site(company_a, grant_a, root_host):
    with schema_context("public"):
        colleague = User.objects.create_user("otro@triboka.test", "x", is_staff=True, role=Role.STAFF)
        browser = web_client(root_host)
        browser.force_login(colleague)
    assert browser.get(f"/admin/support_remote/remoteaccessgrant/{grant_a.pk}/open/").status_code == 403
