"""Audit events: one row per security event and per staff change, in the right schema
(a company's users' events in its schema, the platform's in public), with actor, company,
time, address and the values before and after; append-only in the ORM, the admin and the
database itself (public and company schemas, companies created later too)."""

import re
from datetime import UTC, date
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from master.companies.models import Company, UserDirectoryEntry
from master.companies.services import company_provision
from master.licensing.models import License
from triboka.accounts.models import Role, User
from triboka.accounts.services import user_create
from triboka.audit.models import ActorKind, AuditAction, AuditEvent, AuditEventIsAppendOnly
from triboka.audit.services import HIDDEN, audit_record

from ..conftest import (
    COMPANY_A,
    COMPANY_B,
    PASSWORD,
    STAFF_EMAIL,
    api_client,
    login_tokens,
    user_in,
    web_client,
)

NEW_PASSWORD = "Otra-clave-segura-77"


def events(schema: str, **filters) -> list[AuditEvent]:
    with schema_context(schema):
        return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def only_event(schema: str, **filters) -> AuditEvent:
    found = events(schema, **filters)
    assert len(found) == 1, [(event.action, event.object_repr) for event in found]
    return found[0]


def row_text(event: AuditEvent) -> str:
    return " ".join(str(getattr(event, field.name)) for field in AuditEvent._meta.fields)


def signed_in(host: str, email: str, path: str = "/accounts/login/") -> Client:
    client = web_client(host)
    response = client.post(path, {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    return client


def staff_panel(root_host: str) -> Client:
    return signed_in(root_host, STAFF_EMAIL, "/admin/login/?next=/admin/")


class _FormFields(HTMLParser):
    """The values an admin change form would post back as it is."""

    def __init__(self):
        super().__init__()
        self.data, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button", "file"):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(name, []).append(attrs.get("value", "on"))
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_fields(client: Client, url: str) -> dict:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


# --- security events on a company's site ----------------------------------------------------


def test_an_api_sign_in_is_recorded_once_in_the_companys_schema(company_a, company_b, root_host):
    response = api_client(company_a.primary_domain).post(
        "/api/v1/auth/login/",
        {"email": COMPANY_A.user_email, "password": PASSWORD},
        format="json",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="CacaoApp/2.1 " + "x" * 400,
    )
    assert response.status_code == 200
    user = user_in(company_a, COMPANY_A.user_email)
    event = only_event("alpha", action=AuditAction.LOGIN)
    assert (event.actor_kind, event.actor_user_id, event.actor_email, event.actor_schema) == (
        ActorKind.USER,
        user.pk,
        COMPANY_A.user_email,
        "alpha",
    )
    assert (event.company_slug, event.object_type, event.object_id) == (
        "alpha",
        "accounts.user",
        str(user.pk),
    )
    assert event.ip == "203.0.113.7" and event.user_agent.startswith("CacaoApp/2.1")
    assert len(event.user_agent) == 300 and re.fullmatch(r"[0-9a-f]{32}", event.request_id)
    assert event.at.utcoffset().total_seconds() == 0  # stored and read back in UTC
    assert not events("beta", action=AuditAction.LOGIN) and not events("public", action=AuditAction.LOGIN)


def test_a_page_sign_in_and_sign_out_are_recorded_once_each(company_a):
    client = signed_in(company_a.primary_domain, COMPANY_A.admin_email)
    assert client.post("/accounts/logout/").status_code == 302
    login = only_event("alpha", action=AuditAction.LOGIN)
    logout = only_event("alpha", action=AuditAction.LOGOUT)
    assert login.actor_email == logout.actor_email == COMPANY_A.admin_email
    assert login.ip == "127.0.0.1" and login.request_id != logout.request_id


def test_failed_sign_ins_keep_the_email_tried_and_never_the_password(company_a):
    host = company_a.primary_domain
    wrong = "Not-the-password-123"
    api = api_client(host).post(
        "/api/v1/auth/login/", {"email": COMPANY_A.user_email, "password": wrong}, format="json"
    )
    page = web_client(host).post("/accounts/login/", {"username": "nobody@alpha.test", "password": wrong})
    assert api.status_code == 401 and page.status_code == 200
    failed = events("alpha", action=AuditAction.LOGIN_FAILED)
    assert [event.object_repr for event in failed] == [COMPANY_A.user_email, "nobody@alpha.test"]
    assert all(event.actor_kind == ActorKind.ANONYMOUS and event.ip == "127.0.0.1" for event in failed)
    assert not any(wrong in row_text(event) for event in failed)
    assert not events("alpha", action=AuditAction.LOGIN)


def test_a_token_refresh_and_an_api_sign_out_are_recorded(company_a):
    host = company_a.primary_domain
    tokens = login_tokens(host, COMPANY_A.user_email)
    refreshed = api_client(host).post("/api/v1/auth/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200
    out = api_client(host).post(
        "/api/v1/auth/logout/", {"refresh": refreshed.json()["refresh"]}, format="json"
    )
    assert out.status_code == 204
    refresh = only_event("alpha", action=AuditAction.TOKEN_REFRESH)
    logout = only_event("alpha", action=AuditAction.LOGOUT)
    assert refresh.actor_email == logout.actor_email == COMPANY_A.user_email
    assert tokens["refresh"] not in row_text(refresh)
    # a refused refresh records nothing
    assert (
        api_client(host).post("/api/v1/auth/refresh/", {"refresh": "nonsense"}, format="json").status_code
        == 401
    )
    assert len(events("alpha", action=AuditAction.TOKEN_REFRESH)) == 1


def test_a_forgotten_password_link_and_its_use_are_recorded_without_the_link(company_a):
    client = web_client(company_a.primary_domain)
    client.post("/accounts/password/forgotten/", {"email": COMPANY_A.user_email})
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    page = client.get(urlsplit(link).path, follow=True)
    assert page.status_code == 200 and b'name="new_password1"' in page.content
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert user_in(company_a, COMPANY_A.user_email).check_password(NEW_PASSWORD)
    requested = only_event("alpha", action=AuditAction.PASSWORD_RESET_REQUESTED)
    done = only_event("alpha", action=AuditAction.PASSWORD_RESET_DONE)
    assert requested.object_repr == done.object_repr == done.actor_email == COMPANY_A.user_email
    assert requested.actor_kind == ActorKind.ANONYMOUS
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not any(token in row_text(event) or NEW_PASSWORD in row_text(event) for event in events("alpha"))


def test_a_password_change_is_recorded(company_a):
    client = signed_in(company_a.primary_domain, COMPANY_A.user_email)
    client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    event = only_event("alpha", action=AuditAction.PASSWORD_CHANGED)
    assert event.actor_email == event.object_repr == COMPANY_A.user_email
    assert NEW_PASSWORD not in row_text(event) and PASSWORD not in row_text(event)


# --- changes to a company's users --------------------------------------------------------------


def test_a_role_change_in_the_company_admin_is_one_event_with_before_and_after(company_a):
    client = signed_in(company_a.primary_domain, COMPANY_A.admin_email)
    user = user_in(company_a, COMPANY_A.user_email)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"full_name": user.full_name, "language": "es", "role": Role.CENTER, "is_active": "on"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = only_event("alpha", action=AuditAction.ROLE_CHANGED)
    assert (event.before, event.after) == ({"role": "exporter"}, {"role": "center"})
    assert (event.actor_email, event.actor_schema, event.company_slug) == (
        COMPANY_A.admin_email,
        "alpha",
        "alpha",
    )
    assert not events("alpha", action__in=[AuditAction.USER_UPDATED, AuditAction.USER_DEACTIVATED])
    assert not events("beta", action=AuditAction.ROLE_CHANGED)


def test_what_staff_do_to_a_company_user_is_recorded_in_that_companys_schema(staff_api, company_a, company_b):
    entry = UserDirectoryEntry.objects.get(email=COMPANY_A.user_email)
    assert (
        staff_api.put(
            f"/api/master/users/{entry.pk}/status/", {"is_active": False}, format="json"
        ).status_code
        == 200
    )
    staff_api.put(f"/api/master/users/{entry.pk}/status/", {"is_active": True}, format="json")
    staff_api.post(f"/api/master/users/{entry.pk}/reset-password/")
    deactivated = only_event("alpha", action=AuditAction.USER_DEACTIVATED)
    assert (deactivated.before, deactivated.after) == ({"is_active": True}, {"is_active": False})
    assert (deactivated.actor_email, deactivated.actor_schema) == (STAFF_EMAIL, "public")
    assert deactivated.company_slug == "alpha" and deactivated.object_repr == COMPANY_A.user_email
    assert only_event("alpha", action=AuditAction.USER_ACTIVATED).after == {"is_active": True}
    assert only_event("alpha", action=AuditAction.PASSWORD_RESET_REQUESTED).actor_email == STAFF_EMAIL
    user_actions = [
        AuditAction.USER_DEACTIVATED,
        AuditAction.USER_ACTIVATED,
        AuditAction.PASSWORD_RESET_REQUESTED,
    ]
    assert not events("public", action__in=user_actions) and not events("beta", action__in=user_actions)


def test_users_created_edited_and_deleted_are_recorded_without_passwords(company_a):
    with tenant_context(company_a):
        user = user_create(
            email="nuevo@alpha.test", role=Role.SUPPLIER, password=NEW_PASSWORD, full_name="Nuevo"
        )
    client = signed_in(company_a.primary_domain, COMPANY_A.admin_email)
    client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {"full_name": "Nuevo Nombre", "language": "en", "role": Role.SUPPLIER, "is_active": "on"},
    )
    client.post(f"/admin/accounts/user/{user.pk}/delete/", {"post": "yes"})
    created = only_event("alpha", action=AuditAction.USER_CREATED, object_repr="nuevo@alpha.test")
    assert created.after == {
        "email": "nuevo@alpha.test",
        "full_name": "Nuevo",
        "role": "supplier",
        "language": "es",
        "is_active": True,
    }
    assert created.actor_kind == ActorKind.SYSTEM and NEW_PASSWORD not in row_text(created)
    edited = only_event("alpha", action=AuditAction.USER_UPDATED)
    assert edited.before == {"full_name": "Nuevo", "language": "es"}
    assert edited.after == {"full_name": "Nuevo Nombre", "language": "en"}
    deleted = only_event("alpha", action=AuditAction.USER_DELETED)
    assert deleted.object_id == str(user.pk) and deleted.actor_email == COMPANY_A.admin_email


def test_an_admin_setting_a_users_password_is_recorded(company_a):
    client = signed_in(company_a.primary_domain, COMPANY_A.admin_email)
    user = user_in(company_a, COMPANY_A.user_email)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = only_event("alpha", action=AuditAction.PASSWORD_CHANGED)
    assert (event.actor_email, event.object_repr) == (COMPANY_A.admin_email, COMPANY_A.user_email)


# --- the platform: licenses, companies, backups ------------------------------------------------


def test_license_changes_by_staff_are_recorded_in_public_under_their_company(staff_api, company_a, company_b):
    created = staff_api.post(
        "/api/master/licenses/",
        {"company": "alpha", "type": "saas", "starts_on": "2026-01-01", "expires_on": "2027-01-01"},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"/api/master/licenses/{created.json()['id']}/"
    staff_api.patch(url, {"max_users": 12}, format="json")
    staff_api.post(url + "assign/", {"company": "beta"}, format="json")
    staff_api.post(url + "renew/")
    staff_api.post(url + "extend/", {"days": 10}, format="json")
    staff_api.post(url + "suspend/")
    staff_api.post(url + "reactivate/")
    license = License.objects.get(pk=created.json()["id"])
    recorded = events("public", object_type="licensing.license", object_id=str(license.pk))
    assert [(event.action, event.company_slug, event.before, event.after) for event in recorded[1:]] == [
        (AuditAction.LICENSE_UPDATED, "alpha", {"max_users": None}, {"max_users": 12}),
        (AuditAction.LICENSE_ASSIGNED, "beta", {"company": "alpha"}, {"company": "beta"}),
        (AuditAction.LICENSE_RENEWED, "beta", {"expires_on": "2027-01-01"}, {"expires_on": "2027-02-01"}),
        (AuditAction.LICENSE_EXTENDED, "beta", {"expires_on": "2027-02-01"}, {"expires_on": "2027-02-11"}),
        (AuditAction.LICENSE_SUSPENDED, "beta", {"status": "active"}, {"status": "suspended"}),
        (AuditAction.LICENSE_REACTIVATED, "beta", {"status": "suspended"}, {"status": "active"}),
    ]
    issued = recorded[0]
    assert (issued.action, issued.company_slug, issued.after["expires_on"]) == (
        AuditAction.LICENSE_ISSUED,
        "alpha",
        "2027-01-01",
    )
    assert all(event.actor_email == STAFF_EMAIL and event.actor_schema == "public" for event in recorded)
    assert not events("alpha", action__startswith="license_") and not events(
        "beta", action__startswith="license_"
    )


def test_a_license_edited_in_the_admin_is_one_event_with_the_stored_value_before(db, root_host, company_a):
    license = company_a.licenses.get()
    client = staff_panel(root_host)
    url = f"/admin/licensing/license/{license.pk}/change/"
    data = {**form_fields(client, url), "max_users": "7", "price_usd": "99.50"}
    assert client.post(url, data).status_code == 302
    event = only_event("public", action=AuditAction.LICENSE_UPDATED)
    assert event.before == {"max_users": None, "price_usd": "0.00"}
    assert event.after == {"max_users": 7, "price_usd": "99.50"}
    client.post("/admin/licensing/license/", {"action": "suspend_selected", "_selected_action": [license.pk]})
    assert only_event("public", action=AuditAction.LICENSE_SUSPENDED).company_slug == "alpha"


def test_company_suspension_and_reactivation_by_staff(staff_api, root_host, company_a):
    response = staff_api.post(
        f"/api/master/companies/{company_a.pk}/suspend/", {"reason": "impago"}, format="json"
    )
    assert response.status_code == 200
    suspended = only_event("public", action=AuditAction.COMPANY_SUSPENDED)
    assert suspended.before == {"status": "active", "suspension_reason": ""}
    assert suspended.after == {"status": "suspended", "suspension_reason": "impago"}
    assert (suspended.company_slug, suspended.object_id, suspended.actor_email) == (
        "alpha",
        str(company_a.pk),
        STAFF_EMAIL,
    )
    client = staff_panel(root_host)
    assert client.post(f"/admin/companies/company/{company_a.pk}/reactivate/").status_code == 302
    reactivated = only_event("public", action=AuditAction.COMPANY_REACTIVATED)
    assert reactivated.after == {"status": "active", "suspension_reason": ""}
    client.post(
        "/admin/companies/company/", {"action": "suspend_selected", "_selected_action": [company_a.pk]}
    )
    assert len(events("public", action=AuditAction.COMPANY_SUSPENDED)) == 2
    assert not events("alpha", action__startswith="company_")


def test_company_edits_in_the_admin_and_api_are_recorded_inline_rows_included(
    staff_api, root_host, company_a
):
    client = staff_panel(root_host)
    url = f"/admin/companies/company/{company_a.pk}/change/"
    data = form_fields(client, url)
    total = int(data["domains-TOTAL_FORMS"])
    data.update({"name": "Alpha Renombrada", "domains-TOTAL_FORMS": str(total + 1)})
    data.update(
        {f"domains-{total}-domain": "erp.alpha-cacao.test", f"domains-{total}-tenant": str(company_a.pk)}
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    edited = only_event("public", action=AuditAction.COMPANY_UPDATED)
    assert (edited.before, edited.after) == ({"name": COMPANY_A.name}, {"name": "Alpha Renombrada"})
    domain = only_event("public", action=AuditAction.ADMIN_ADD, object_type="companies.domain")
    assert domain.company_slug == "alpha" and domain.after["domain"] == "erp.alpha-cacao.test"

    staff_api.patch(f"/api/master/companies/{company_a.pk}/", {"ruc": "1790016919001"}, format="json")
    by_api = events("public", action=AuditAction.COMPANY_UPDATED)[-1]
    assert (by_api.before, by_api.after) == ({"ruc": COMPANY_A.ruc}, {"ruc": "1790016919001"})


def test_a_company_provisioned_by_staff_is_recorded_in_public_and_its_first_admin_in_its_schema(staff_api):
    response = staff_api.post(
        "/api/master/companies/",
        {
            "name": "Delta Cacao",
            "slug": "delta",
            "ruc": "0990004196001",
            "kind": "exporter",
            "license_type": "saas",
            "admin_email": "jefe@delta.test",
            "admin_password": PASSWORD,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    created = only_event("public", action=AuditAction.COMPANY_CREATED)
    assert (created.company_slug, created.actor_email, created.object_id) == (
        "delta",
        STAFF_EMAIL,
        str(response.json()["id"]),
    )
    assert created.after == {
        "name": "Delta Cacao",
        "slug": "delta",
        "ruc": "0990004196001",
        "kind": "exporter",
        "license_type": "saas",
    }
    assert (
        only_event("public", action=AuditAction.LICENSE_ISSUED, company_slug="delta").actor_email
        == STAFF_EMAIL
    )
    first_admin = only_event("delta", action=AuditAction.USER_CREATED)
    assert (first_admin.object_repr, first_admin.actor_email, first_admin.actor_schema) == (
        "jefe@delta.test",
        STAFF_EMAIL,
        "public",
    )
    assert PASSWORD not in row_text(created) + row_text(first_admin)


def test_a_company_provisioned_in_the_master_admin_is_recorded_once(db, root_host):
    form = {
        "name": "Zeta Cacao",
        "slug": "zeta",
        "ruc": "1700000001001",
        "kind": "exporter",
        "license_type": "saas",
        "admin_email": "owner@zeta.test",
        "admin_password": "",
    }
    assert staff_panel(root_host).post("/admin/companies/company/add/", form).status_code == 302
    created = only_event("public", action=AuditAction.COMPANY_CREATED)
    assert (created.company_slug, created.actor_email) == ("zeta", STAFF_EMAIL)
    assert (created.after["name"], created.after["schema_name"], created.after["status"]) == (
        "Zeta Cacao",
        "zeta",
        "active",
    )
    assert only_event("zeta", action=AuditAction.USER_CREATED).object_repr == "owner@zeta.test"


def test_the_admin_mixin_records_deletions_with_what_was_deleted(company_a, rf):
    from django.contrib import admin

    from master.companies.models import Domain
    from triboka.audit.admin import AuditedAdminMixin

    class DomainAdmin(AuditedAdminMixin, admin.ModelAdmin):
        pass

    domain = Domain.objects.create(domain="extra.alpha.test", tenant=company_a, is_primary=False)
    request = rf.post("/")
    request.user = User.objects.get(email=STAFF_EMAIL)
    DomainAdmin(Domain, admin.site).log_deletions(request, Domain.objects.filter(pk=domain.pk))
    event = only_event("public", action=AuditAction.ADMIN_DELETE)
    assert (event.object_type, event.object_id, event.company_slug) == (
        "companies.domain",
        str(domain.pk),
        "alpha",
    )
    assert event.before == {"domain": "extra.alpha.test", "tenant": COMPANY_A.name, "is_primary": False}


@pytest.fixture
def audit_start(django_db_setup, django_db_blocker):
    """Committed events of other tests stay (append-only): look only at those from now."""
    from django.utils import timezone

    return timezone.now()


def test_backups_requested_written_failed_a_restore_and_a_deletion_are_recorded(
    committed_company, django_db_blocker, audit_start, root_host
):
    from master.backups import services
    from master.backups.models import Backup, BackupKind
    from master.backups.storage import backup_storage
    from master.companies.services import company_delete

    with django_db_blocker.unblock():
        try:
            (done,) = services.backups_run([services.backup_request(company=committed_company).pk])
            lost = Backup.objects.create(
                company=committed_company, company_slug="epsilon", schema_name="gone", kind=BackupKind.MANUAL
            )
            services.backups_run([lost.pk])
            lost.refresh_from_db()
            archive = backup_storage().path(done.archive)
            copy = services.backup_restore(
                source=archive, as_slug="epsilon-audit", ruc="1700000001002"
            ).company
            # the copy's schema came from the archive through COPY, its audit rows and trigger included
            assert events(copy.schema_name, action=AuditAction.USER_CREATED)
            with schema_context(copy.schema_name), pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("UPDATE audit_auditevent SET action = 'login'")
            # staff delete the copy (DROP SCHEMA is not blocked by the trigger)
            response = staff_panel(root_host).post(
                f"/admin/companies/company/{copy.pk}/delete/", {"confirm_slug": "epsilon-audit"}
            )
            assert response.status_code == 302 and not Company.objects.filter(slug="epsilon-audit").exists()
            recorded = events("public", at__gte=audit_start, company_slug__in=["epsilon", "epsilon-audit"])
        finally:
            Backup.objects.all().delete()
            connection.set_schema_to_public()
            for leftover in Company.objects.filter(slug="epsilon-audit"):
                company_delete(company=leftover, confirm_slug=leftover.slug)
    assert [(event.action, event.company_slug) for event in recorded] == [
        (AuditAction.BACKUP_REQUESTED, "epsilon"),
        (AuditAction.BACKUP_DONE, "epsilon"),
        (AuditAction.BACKUP_FAILED, "epsilon"),
        (AuditAction.LICENSE_ISSUED, "epsilon-audit"),  # the copy's license, made by the restore
        (AuditAction.RESTORE, "epsilon-audit"),
        (AuditAction.COMPANY_DELETED, "epsilon-audit"),
    ]
    by_action = {event.action: event for event in recorded}
    assert by_action[AuditAction.BACKUP_DONE].after["archive"] == done.archive
    assert by_action[AuditAction.BACKUP_DONE].actor_kind == ActorKind.SYSTEM
    assert by_action[AuditAction.BACKUP_FAILED].after == {"error": lost.error} and lost.error
    restore = by_action[AuditAction.RESTORE]
    assert restore.after["backed_up_company"] == "epsilon" and restore.object_id == str(copy.pk)
    assert restore.after["new_company"] is True and restore.after["archive"] == archive
    deleted = by_action[AuditAction.COMPANY_DELETED]
    assert (deleted.object_id, deleted.actor_email, deleted.before["ruc"]) == (
        str(copy.pk),
        STAFF_EMAIL,
        "1700000001002",
    )
    assert deleted.after["final_dump"].endswith(".dump")


def test_a_backup_requested_by_staff_names_them(staff_api, company_a):
    """(The test transaction never commits, so the backup itself is not written here.)"""
    response = staff_api.post("/api/master/backups/", {"company": "alpha"}, format="json")
    assert response.status_code == 202
    event = only_event("public", action=AuditAction.BACKUP_REQUESTED)
    assert (event.company_slug, event.object_id) == ("alpha", str(response.json()["id"]))
    assert (event.actor_kind, event.actor_email) == (ActorKind.USER, STAFF_EMAIL)
    assert not events("alpha", action=AuditAction.BACKUP_REQUESTED)


# --- append-only --------------------------------------------------------------------------------


def _an_event(schema: str) -> AuditEvent:
    with schema_context(schema):
        return audit_record(action=AuditAction.ADMIN_CHANGE, object_repr="something")


def test_the_orm_refuses_to_change_or_delete_an_event(company_a):
    event = _an_event("public")
    event.object_repr = "edited"
    with pytest.raises(AuditEventIsAppendOnly):
        event.save()
    with pytest.raises(AuditEventIsAppendOnly):
        event.delete()
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="edited")
    with pytest.raises(AuditEventIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "something"


@pytest.mark.parametrize("schema", ["public", "alpha", "beta", "tenant_template"])
def test_the_database_refuses_update_and_delete_in_every_schema(company_a, schema):
    event = _an_event(schema)
    with schema_context(schema):
        for statement in (
            "UPDATE audit_auditevent SET object_repr = 'edited' WHERE id = %s",
            "DELETE FROM audit_auditevent WHERE id = %s",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement, [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).object_repr == "something"


def test_a_company_created_after_the_migration_is_protected_too(db):
    company = company_provision(
        name="Gamma Cacao",
        slug="gamma-audit",
        ruc="1790016919001",
        kind="exporter",
        license_type="saas",
        admin_email="admin@gamma.test",
        admin_password=PASSWORD,
    ).company
    created = only_event("gamma_audit", action=AuditAction.USER_CREATED)  # its first admin
    assert created.company_slug == "gamma-audit"
    with schema_context(company.schema_name), pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_proc p ON p.oid = t.tgfoid "
            "JOIN pg_namespace pn ON pn.oid = p.pronamespace "
            "WHERE t.tgname = 'audit_event_append_only' AND n.nspname = pn.nspname AND n.nspname = %s",
            [company.schema_name],
        )
        assert cursor.fetchall() == [(company.schema_name,)]  # its own trigger and function


def test_the_admin_offers_no_way_to_add_change_or_delete(db, root_host):
    event = _an_event("public")
    client = staff_panel(root_host)
    base = "/admin/audit/auditevent/"
    assert client.get(base + "add/").status_code == 403
    page = client.get(f"{base}{event.pk}/change/")
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(f"{base}{event.pk}/change/", {"object_repr": "edited"}).status_code == 403
    assert client.post(f"{base}{event.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = client.get(base)
    assert b'value="delete_selected"' not in listing.content
    assert AuditEvent.objects.get(pk=event.pk).object_repr == "something"


# --- reading them --------------------------------------------------------------------------------


def test_staff_read_the_platforms_events_and_one_companys_in_the_master_panel(
    db, root_host, company_a, company_b
):
    login_tokens(company_a.primary_domain, COMPANY_A.user_email)
    login_tokens(company_b.primary_domain, COMPANY_B.user_email)
    client = staff_panel(root_host)
    platform = client.get("/admin/audit/auditevent/", {"action": "login"}).content.decode()
    assert STAFF_EMAIL in platform and COMPANY_A.user_email not in platform
    system = _an_event("public")
    by_actor = client.get("/admin/audit/auditevent/", {"actor_email": STAFF_EMAIL}).context["cl"]
    assert by_actor.result_count == len(events("public", actor_email=STAFF_EMAIL)) > 0
    assert (
        system not in by_actor.result_list
        and system in client.get("/admin/audit/auditevent/").context["cl"].result_list
    )
    assert client.get("/admin/audit/auditevent/company/", {"company": "alpha"})["Location"].endswith(
        "/admin/audit/auditevent/company/alpha/"
    )
    alpha = client.get("/admin/audit/auditevent/company/alpha/", {"action": "login"})
    assert alpha.status_code == 200
    page = alpha.content.decode()
    assert COMPANY_A.user_email in page and COMPANY_B.user_email not in page and STAFF_EMAIL not in page
    assert (
        "/admin/audit/auditevent/" + "{}/change/".format(events("alpha", action="login")[0].pk) not in page
    )  # no links
    assert client.get("/admin/audit/auditevent/company/nadie/").status_code == 404
    assert connection.schema_name == "public"


def test_a_company_admin_reads_only_its_own_companys_events(company_a, company_b):
    login_tokens(company_b.primary_domain, COMPANY_B.user_email)
    login_tokens(company_a.primary_domain, COMPANY_A.user_email)
    admin = signed_in(company_a.primary_domain, COMPANY_A.admin_email, "/admin/login/?next=/admin/")
    page = admin.get("/admin/audit/auditevent/")
    assert page.status_code == 200
    assert COMPANY_A.user_email in page.content.decode() and COMPANY_B.user_email not in page.content.decode()
    elsewhere = admin.get("/admin/audit/auditevent/company/beta/", follow=True)  # no such page here
    assert COMPANY_B.user_email not in elsewhere.content.decode() and "audit_company" not in elsewhere.context
    other = events("beta", action=AuditAction.LOGIN)[0]
    assert (
        COMPANY_B.user_email not in admin.get(f"/admin/audit/auditevent/{other.pk}/change/").content.decode()
    )
    plain = signed_in(company_a.primary_domain, COMPANY_A.user_email)
    assert plain.get("/admin/audit/auditevent/").status_code == 302  # to the admin's login


# --- what is kept ----------------------------------------------------------------------------------


def test_secrets_are_masked_wherever_they_are(db):
    event = audit_record(
        action=AuditAction.ADMIN_CHANGE,
        before={"password": "old-secret", "name": "A"},
        after={"api_token": "tok", "name": "B", "nested": {"signing_key": "k", "when": date(2026, 1, 2)}},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.before == {"password": HIDDEN, "name": "A"}
    assert event.after == {
        "api_token": HIDDEN,
        "name": "B",
        "nested": {"signing_key": HIDDEN, "when": "2026-01-02"},
    }


@pytest.mark.parametrize(("proxies", "expected"), [(0, "10.0.0.5"), (1, "203.0.113.9"), (2, "198.51.100.1")])
def test_the_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(
    company_a, settings, proxies, expected
):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": proxies}
    api_client(company_a.primary_domain).post(
        "/api/v1/auth/login/",
        {"email": COMPANY_A.user_email, "password": "wrong-one"},
        format="json",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9",
    )
    assert only_event("alpha", action=AuditAction.LOGIN_FAILED).ip == expected


def test_events_outside_a_request_are_the_systems(company_a):
    with tenant_context(company_a):
        event = audit_record(action=AuditAction.ADMIN_CHANGE, object_repr="by a task")
    assert (event.actor_kind, event.actor_email, event.ip, event.company_slug) == (
        ActorKind.SYSTEM,
        "",
        None,
        "alpha",
    )
    assert event.at.astimezone(UTC).tzinfo == UTC
