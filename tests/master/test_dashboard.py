"""The master dashboard's numbers against figures computed by hand, its permissions, and the
admin index that draws it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from master.analytics.models import CompanyFacts
from master.backups.models import Backup, BackupStatus
from master.billing.models import Invoice, InvoiceStatus
from master.companies.services import company_suspend
from master.licensing.services import license_update
from master.metering.models import CompanyUsageDaily
from tests.conftest import COMPANY_A, STAFF_EMAIL, api_client, bearer, login_tokens, web_client


def _invoice(company, number, issued_on, total, paid, status):
    return Invoice.objects.create(
        number=number,
        company=company,
        company_name=company.name,
        company_ruc=company.ruc,
        license=company.licenses.get(),
        license_code=company.licenses.get().code,
        period_start=issued_on,
        period_end=issued_on + timedelta(days=30),
        amount_usd=total,
        tax_percent=Decimal("0"),
        tax_usd=Decimal("0"),
        total_usd=total,
        paid_usd=paid,
        status=status,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=15),
        provider="bank_transfer",
    )


@pytest.fixture
def platform(db, company_a, company_b):
    today = timezone.localdate()
    # A: 1,000 calls yesterday (10 server errors), 3,000 today (50); B: 500 calls today (0)
    for company, day, calls, server, histogram in (
        (company_a, today - timedelta(days=1), 1000, 10, [900, 60, 40, 0, 0, 0, 0, 0, 0, 0]),
        (company_a, today, 3000, 50, [2000, 500, 300, 150, 50, 0, 0, 0, 0, 0]),
        (company_b, today, 500, 0, [500, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        (company_b, today - timedelta(days=40), 999, 999, [999] + [0] * 9),  # outside 30 days
    ):
        CompanyUsageDaily.objects.create(
            company=company,
            day=day,
            requests=calls,
            server_errors=server,
            bytes_out=calls,
            latency_ms_sum=calls * 10,
            latency_histogram=histogram,
        )
    CompanyFacts.objects.create(
        company=company_a, storage_bytes=300 * 1024 * 1024, refreshed_at=timezone.now()
    )
    license_update(
        license=company_a.licenses.get(), max_storage_mb=310, expires_on=today + timedelta(days=10)
    )
    Backup.objects.create(company=company_a, status=BackupStatus.DONE, finished_at=timezone.now())
    _invoice(
        company_a, "TRB-T-1", today.replace(day=1), Decimal("100.00"), Decimal("100.00"), InvoiceStatus.PAID
    )
    _invoice(
        company_b, "TRB-T-2", today.replace(day=1), Decimal("50.00"), Decimal("20.00"), InvoiceStatus.ISSUED
    )
    _invoice(company_b, "TRB-T-3", today.replace(day=1), Decimal("70.00"), Decimal("0"), InvoiceStatus.VOID)
    company_suspend(company=company_b, reason="impago")
    return today


def test_dashboard_numbers_match_the_hand_computed_ones(platform, staff_api):
    response = staff_api.get("/api/master/dashboard/")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["companies"]["active"] == 1 and data["companies"]["suspended"] == 1
    assert data["companies"]["expiring"] == 1  # A's license, 10 days out
    assert data["licenses_by_type"] == {"saas": 2}
    api = data["api"]
    assert api["calls"] == 4500 and api["server_errors"] == 60
    assert api["error_rate"] == round(100 * 60 / 4500, 2)
    # 4,500 calls: 3,400 <=10 ms, 560 <=25, 340 <=50 (4,300 = 95.6%) -> p95 is 50 ms
    assert api["p95_latency_ms"] == 50
    by_day = {row["day"]: row for row in api["by_day"]}
    assert len(by_day) == 30
    assert by_day[str(platform)]["calls"] == 3500 and by_day[str(platform)]["server_errors"] == 50
    revenue = data["revenue"]
    assert Decimal(revenue["invoiced"]) == Decimal("150.00")  # the void invoice does not count
    assert Decimal(revenue["paid"]) == Decimal("120.00") and Decimal(revenue["pending"]) == Decimal("30.00")
    assert data["storage"]["used_bytes"] == 300 * 1024 * 1024
    codes = {(alert["company"], alert["code"]) for alert in data["alerts"]}
    assert ("alpha", "license_expiring") in codes
    assert ("alpha", "limit_storage") in codes  # 300 of 310 MB: past 90 %
    assert ("beta", "suspended") in codes
    assert ("alpha", "backup") not in codes


def test_companies_table_has_consumption_and_health(platform, staff_api):
    rows = {
        row["company"]: row for row in staff_api.get("/api/master/dashboard/companies/").json()["results"]
    }
    alpha = rows["alpha"]
    assert alpha["usage"]["calls"] == 4000 and alpha["usage"]["server_errors"] == 60
    assert alpha["usage"]["availability"] == round(100 - 100 * 60 / 4000, 2)
    assert alpha["health"] == "warning" and alpha["users"] == 2
    assert rows["beta"]["usage"]["calls"] == 500  # the 40-day-old day is outside
    same = staff_api.get("/api/master/analytics/companies/", {"days": 60}).json()["results"]
    assert {row["company"]: row for row in same}["beta"]["usage"]["calls"] == 1499


def test_revenue_by_month(platform, staff_api):
    data = staff_api.get("/api/master/dashboard/revenue/").json()
    assert [Decimal(row["invoiced"]) for row in data["by_month"]] == [Decimal("150.00")]
    assert staff_api.get("/api/master/dashboard/revenue/", {"months": 0}).status_code == 400


def test_bad_period_is_400_and_company_users_are_kept_out(platform, staff_api, company_a, root_host):
    assert "days" in staff_api.get("/api/master/dashboard/", {"days": 9999}).json()
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)
    assert bearer(company_a.primary_domain, tokens["access"]).get("/api/master/dashboard/").status_code == 404
    assert bearer(root_host, tokens["access"]).get("/api/master/dashboard/").status_code in (401, 403)
    assert api_client(root_host).get("/api/master/dashboard/companies/").status_code in (401, 403)


def test_the_admin_index_is_the_dashboard_with_svg_charts(platform, root_host):
    client = web_client(root_host)
    client.login(email=STAFF_EMAIL, password="Cacao-fino-2026!")
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="master-dashboard"' in html and html.count("<svg") >= 4
    assert "cdn" not in html.lower() and '<script src="http' not in html
    assert "alpha" in html  # an alert links to the company


def test_company_facts_are_copied_from_the_company_schema(db, company_a):
    from django_tenants.utils import tenant_context

    from master.analytics.services import company_facts_refresh

    with tenant_context(company_a):
        facts = company_facts_refresh()
    assert facts.company_id == company_a.pk and facts.storage_bytes == 0 and facts.lots == 0
