"""Master staff act on any company's users from the directory: e-mail a password link,
deactivate (sessions and tokens stop at once), activate."""

import re

from django.core import mail
from django.test import Client

from master.companies.models import UserDirectoryEntry

from ..conftest import COMPANY_A, COMPANY_B, PASSWORD, bearer, login_tokens


def _entry(email: str) -> UserDirectoryEntry:
    return UserDirectoryEntry.objects.select_related("company").get(email=email)


def test_staff_email_a_password_link_that_leads_to_the_users_own_site(staff_api, company_a):
    entry = _entry(COMPANY_A.user_email)
    response = staff_api.post(f"/api/master/users/{entry.pk}/reset-password/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 202 and COMPANY_A.user_email in response.json()["detail"]
    (message,) = mail.outbox
    assert message.to == [COMPANY_A.user_email] and PASSWORD not in message.body
    link = re.search(r"https?://\S+", message.body).group(0)
    assert f"//{company_a.primary_domain}" in link and "/accounts/" in link
    path = link.split(company_a.primary_domain, 1)[1].split("/", 1)[1]
    page = Client(HTTP_HOST=company_a.primary_domain).get("/" + path, follow=True)
    assert page.status_code == 200 and b'name="new_password1"' in page.content  # the link works


def test_deactivating_stops_the_users_tokens_at_once_and_activating_restores(staff_api, company_a):
    host = company_a.primary_domain
    token = login_tokens(host, COMPANY_A.user_email)["access"]
    entry = _entry(COMPANY_A.user_email)
    response = staff_api.put(f"/api/master/users/{entry.pk}/status/", {"is_active": False}, format="json")
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert bearer(host, token).get("/api/v1/me/").status_code == 401
    assert staff_api.put(f"/api/master/users/{entry.pk}/status/", {"is_active": True}, format="json").json()[
        "is_active"
    ]
    assert (
        bearer(host, login_tokens(host, COMPANY_A.user_email)["access"]).get("/api/v1/me/").status_code == 200
    )


def test_bad_status_requests_answer_400_or_404(staff_api):
    admin_entry = _entry(COMPANY_A.admin_email)
    url = f"/api/master/users/{admin_entry.pk}/status/"
    assert "is_active" in staff_api.put(url, {"is_active": "maybe"}, format="json").json()
    last_admin = staff_api.put(url, {"is_active": False}, format="json")
    assert last_admin.status_code == 400 and "is_active" in last_admin.json()  # the last admin stays
    assert (
        staff_api.put("/api/master/users/999999/status/", {"is_active": False}, format="json").status_code
        == 404
    )
    assert staff_api.post("/api/master/users/999999/reset-password/").status_code == 404


def test_company_users_cannot_act_on_the_directory(company_a, root_host):
    host = company_a.primary_domain
    entry = _entry(COMPANY_B.user_email)  # another company's user
    admin = bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert (
        admin.put(f"/api/master/users/{entry.pk}/status/", {"is_active": False}, format="json").status_code
        == 404
    )
    on_root = bearer(root_host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert on_root.post(f"/api/master/users/{entry.pk}/reset-password/").status_code in (401, 403)
    assert _entry(COMPANY_B.user_email).is_active and not mail.outbox


def test_admin_actions_on_the_directory(db, root_host, company_b):
    client = Client(HTTP_HOST=root_host)
    assert client.login(email="staff@triboka.test", password=PASSWORD)
    entry = _entry(COMPANY_B.user_email)
    changelist = "/admin/companies/userdirectoryentry/"
    client.post(changelist, {"action": "deactivate_selected", "_selected_action": [entry.pk]}, follow=True)
    assert not _entry(COMPANY_B.user_email).is_active
    client.post(changelist, {"action": "activate_selected", "_selected_action": [entry.pk]}, follow=True)
    client.post(changelist, {"action": "send_password_link", "_selected_action": [entry.pk]}, follow=True)
    assert _entry(COMPANY_B.user_email).is_active and [m.to for m in mail.outbox] == [[COMPANY_B.user_email]]
