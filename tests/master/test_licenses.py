"""Licenses in the master API and admin: issue, edit, assign, renew, extend, suspend."""

from datetime import date

import pytest

from master.licensing.codes import license_code_is_valid
from master.licensing.models import License, Module
from master.licensing.services import add_months, license_renew

from ..conftest import COMPANY_A, PASSWORD, bearer, login_tokens

URL = "/api/master/licenses/"


def test_staff_issue_a_license_with_modules_limits_and_terms(staff_api, company_a):
    body = {
        "company": COMPANY_A.slug,
        "type": "api",
        "modules": ["contracts", "lots"],
        "max_users": 5,
        "max_api_calls_month": 100000,
        "starts_on": "2026-01-01",
        "expires_on": "2026-12-31",
        "auto_renew": True,
        "price_usd": "49.90",
        "billing_period": "yearly",
    }
    response = staff_api.post(URL, body, format="json")
    assert response.status_code == 201, response.content
    issued = response.json()
    assert issued["company"] == COMPANY_A.slug and issued["modules"] == ["contracts", "lots"]
    assert issued["max_storage_mb"] is None  # unlimited
    assert issued["status"] == "active" and license_code_is_valid(issued["code"])
    listed = staff_api.get(URL, {"company": COMPANY_A.slug, "type": "api"}).json()["results"]
    assert [row["code"] for row in listed] == [issued["code"]]


def test_a_license_without_modules_given_has_them_all(staff_api):
    response = staff_api.post(URL, {"type": "saas"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["modules"] == list(Module.values) and response.json()["company"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"type": "forever"}, "type"),
        ({"modules": ["contracts", "teleport"]}, "modules"),
        ({"starts_on": "2026-06-01", "expires_on": "2026-01-01"}, "expires_on"),
        ({"price_usd": "-1"}, "price_usd"),
        ({"max_users": -3}, "max_users"),
        ({"company": "nadie"}, "company"),
    ],
)
def test_bad_license_terms_answer_400_on_the_field(staff_api, change, field):
    before = License.objects.count()
    response = staff_api.post(URL, {"type": "saas", **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert License.objects.count() == before


def test_edit_assign_renew_extend_suspend_and_reactivate(staff_api, company_a, company_b):
    created = staff_api.post(
        URL, {"type": "saas", "starts_on": "2026-01-31", "expires_on": "2026-01-31"}, format="json"
    ).json()
    url = f"{URL}{created['id']}/"
    edited = staff_api.patch(url, {"max_users": 10, "modules": ["chat"]}, format="json")
    assert (
        edited.status_code == 200
        and edited.json()["max_users"] == 10
        and edited.json()["modules"] == ["chat"]
    )
    assert (
        staff_api.post(f"{url}assign/", {"company": COMPANY_A.slug}, format="json").json()["company"]
        == "alpha"
    )
    moved = staff_api.post(f"{url}assign/", {"company": company_b.slug}, format="json").json()
    assert moved["company"] == company_b.slug
    assert staff_api.post(f"{url}assign/", {"company": "nadie"}, format="json").status_code == 400
    extended = staff_api.post(f"{url}extend/", {"days": 30}, format="json").json()
    assert extended["expires_on"] == "2026-03-02"
    assert staff_api.post(f"{url}extend/", {"days": 0}, format="json").status_code == 400
    assert staff_api.post(f"{url}suspend/").json()["status"] == "suspended"
    assert staff_api.post(f"{url}reactivate/").json()["status"] == "active"
    renewed = staff_api.post(f"{url}renew/").json()  # expired already: a month from today
    assert date.fromisoformat(renewed["expires_on"]) > date.fromisoformat(extended["expires_on"])
    assert staff_api.put(url, {"type": "vps", "modules": []}, format="json").json()["type"] == "vps"


def test_renewal_adds_one_billing_period_from_the_expiry(db):
    license = License(
        type="saas", starts_on=date(2026, 1, 1), expires_on=date(2027, 1, 31), billing_period="monthly"
    )
    license.save()
    assert license_renew(license=license, today=date(2026, 12, 1)).expires_on == date(2027, 2, 28)
    license.billing_period = "yearly"
    assert license_renew(license=license, today=date(2026, 12, 1)).expires_on == date(2028, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 30), 2) == date(2027, 1, 30)


def test_a_license_that_never_expires_is_not_renewed(staff_api):
    created = staff_api.post(URL, {"type": "saas"}, format="json").json()
    response = staff_api.post(f"{URL}{created['id']}/renew/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "nothing to renew" in response.json()["expires_on"][0]


def test_company_users_reach_no_licenses(company_a, root_host):
    host = company_a.primary_domain
    admin = bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert admin.get(URL).status_code == 404  # not served on a company's site
    assert bearer(root_host, login_tokens(host, COMPANY_A.admin_email)["access"]).get(URL).status_code in (
        401,
        403,
    )


def test_admin_actions_renew_extend_and_suspend(db, root_host, company_a):
    from django.test import Client

    license = company_a.licenses.get()
    license.expires_on = date(2030, 1, 15)
    license.save()
    client = Client(HTTP_HOST=root_host)
    assert client.login(email="staff@triboka.test", password=PASSWORD)
    for action in ("extend_selected_30_days", "suspend_selected"):
        response = client.post(
            "/admin/licensing/license/", {"action": action, "_selected_action": [license.pk]}, follow=True
        )
        assert response.status_code == 200
    license.refresh_from_db()
    assert license.expires_on == date(2030, 2, 14) and license.status == "suspended"
    page = client.get(f"/admin/licensing/license/{license.pk}/change/")
    assert page.status_code == 200 and "max_api_calls_month" in page.content.decode()


def test_an_admin_action_reports_each_refusal_and_counts_the_rest(db, root_host, company_a, company_b):
    from django.test import Client

    never, dated = company_a.licenses.get(), company_b.licenses.get()
    dated.expires_on = date(2030, 1, 15)
    dated.save()
    client = Client(HTTP_HOST=root_host, HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(email="staff@triboka.test", password=PASSWORD)
    page = client.post(
        "/admin/licensing/license/",
        {"action": "renew_selected", "_selected_action": [never.pk, dated.pk]},
        follow=True,
    ).content.decode()
    assert f"{never.code}: " in page and "1 licencia renovada." in page  # the staff user reads Spanish
    dated.refresh_from_db()
    assert dated.expires_on == date(2030, 2, 15)
