"""Master reports: the files of each kind (CSV, XLSX, PDF) open and hold the rows computed by
hand from the fixtures; the API (generate, list, download), schedules (their beat task, the
e-mailed run), a real worker, the admin, and that company users reach none of it."""

import csv
import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from master.billing.models import Invoice
from master.companies.models import Company, UserDirectoryEntry
from master.licensing.models import License
from master.metering.models import CompanyUsageDaily, EndpointUsageDaily
from master.reports import services, tasks
from master.reports.models import Report, ReportSchedule, ReportStatus
from master.reports.storage import report_storage
from tests.support.workers import celery_worker, wait_for
from triboka.celery import app

from ..conftest import COMPANY_A, PASSWORD, STAFF_EMAIL, api_client, bearer, login_tokens

NAME_A = "Peña Cacao Ñandú Máncora S.A."  # ñ, Ñ, á, ú: the PDF must show them
MARCH = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
CONSUMPTION_HEADER = [
    "Subdomain",
    "Company",
    "Day",
    "Requests",
    "4xx answers",
    "5xx answers",
    "Bytes sent",
    "Average latency (ms)",
    "p95 latency (ms)",
]


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


@pytest.fixture
def named_a(company_a) -> Company:
    Company.objects.filter(pk=company_a.pk).update(name=NAME_A)
    company_a.refresh_from_db()
    return company_a


def histogram(*counts) -> list[int]:
    return [*counts, *[0] * (10 - len(counts))]


def usage_day(company, day, requests, client_errors, server_errors, latency_ms_sum, latency_histogram):
    return CompanyUsageDaily.objects.create(
        company=company,
        day=day,
        requests=requests,
        client_errors=client_errors,
        server_errors=server_errors,
        bytes_out=requests * 10,
        latency_ms_sum=latency_ms_sum,
        latency_histogram=latency_histogram,
    )


@pytest.fixture
def usage(named_a, company_b):
    """March 2025 (and a day on each side of it) of both companies' API consumption."""
    usage_day(named_a, date(2025, 2, 28), 999, 0, 0, 999, histogram(999))
    usage_day(named_a, date(2025, 3, 1), 100, 5, 1, 2000, histogram(90, 4, 6))
    usage_day(named_a, date(2025, 3, 2), 50, 0, 0, 250, histogram(50))
    usage_day(company_b, date(2025, 3, 1), 30, 3, 0, 300, histogram(0, 30))
    usage_day(named_a, date(2025, 4, 1), 7, 0, 0, 7, histogram(7))
    endpoints = [
        (named_a, "GET", "/api/v1/lots/", 2, 80, histogram(70, 5, 5)),
        (named_a, "GET", "/api/v1/lots/", 5, 2, histogram(0, 0, 0, 0, 0, 0, 0, 0, 2)),
        (named_a, "POST", "/api/v1/lots/", 4, 18, histogram(18)),
        (company_b, "GET", "/api/v1/me/", 2, 5, histogram(5)),
    ]
    for company, method, route, status_class, requests, latency in endpoints:
        EndpointUsageDaily.objects.create(
            company=company,
            day=date(2025, 3, 10),
            method=method,
            route=route,
            status_class=status_class,
            requests=requests,
            bytes_out=requests * 10,
            latency_ms_sum=requests * 8,
            latency_histogram=latency,
        )
    EndpointUsageDaily.objects.create(  # outside the period
        company=named_a,
        day=date(2025, 4, 2),
        method="GET",
        route="/api/v1/lots/",
        status_class=2,
        requests=500,
    )
    return named_a, company_b


def generate(**fields) -> Report:
    report = services.report_generate(services.report_request(**fields).pk)
    assert report.status == ReportStatus.DONE, report.error
    return report


def file_bytes(report: Report, fmt: str) -> bytes:
    with report_storage().open(report.files[fmt]["name"], "rb") as content:
        return content.read()


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_sheet(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content)).active


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def only(rows, slugs=("alpha", "beta"), column=0):
    """Rows of the test companies (other tests' committed companies may share the database)."""
    return [row for row in rows if row[column] in slugs]


# --- the files of each kind ------------------------------------------------------------------


def test_consumption_files_open_and_hold_each_company_and_day(usage):
    report = generate(kind="consumption", **MARCH, language="en")
    assert report.rows == 3 and set(report.files) == {"csv", "xlsx", "pdf"}
    assert report.files["csv"]["name"] == f"{report.pk}/consumption-2025-03-01-2025-03-31.csv"

    rows = csv_rows(file_bytes(report, "csv"))
    assert rows[0] == CONSUMPTION_HEADER
    assert only(rows[1:]) == [
        ["alpha", NAME_A, "2025-03-01", "100", "5", "1", "1000", "20.0", "50"],
        ["alpha", NAME_A, "2025-03-02", "50", "0", "0", "500", "5.0", "10"],
        ["beta", "Beta Acopio", "2025-03-01", "30", "3", "0", "300", "10.0", "25"],
    ]

    sheet = xlsx_sheet(file_bytes(report, "xlsx"))
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == CONSUMPTION_HEADER
    assert only(values[1:]) == [
        ("alpha", NAME_A, datetime(2025, 3, 1), 100, 5, 1, 1000, 20.0, 50),
        ("alpha", NAME_A, datetime(2025, 3, 2), 50, 0, 0, 500, 5.0, 10),
        ("beta", "Beta Acopio", datetime(2025, 3, 1), 30, 3, 0, 300, 10.0, 25),
    ]
    assert sheet["C2"].is_date and sheet["C2"].number_format == "yyyy-mm-dd"
    assert isinstance(sheet["D2"].value, int)  # numbers as numbers, not text

    text = pdf_text(file_bytes(report, "pdf"))
    assert "API consumption by company and day" in text
    assert NAME_A in text and "Beta Acopio" in text
    assert "03/01/2025" in text and "03/31/2025" in text  # the period, in English
    assert "Total" in text and "1,800" in text  # bytes sent of the three rows
    assert "999" not in text and "Every company" in text


def test_the_spanish_pdf_keeps_accents_and_spanish_numbers(usage):
    report = generate(kind="consumption", **MARCH)  # Spanish by default
    assert report.language == "es"
    text = pdf_text(file_bytes(report, "pdf"))
    assert NAME_A in text
    assert "01/03/2025" in text and "31/03/2025" in text
    assert re.search(r"1\s000", text) and "20,0" in text  # 1 000 bytes, 20,0 ms


def test_the_company_filter_keeps_only_that_companys_rows(usage, company_b):
    report = generate(kind="consumption", **MARCH, company=company_b, language="en")
    assert report.company_slug == "beta" and report.rows == 1
    assert report.files["xlsx"]["name"].endswith("/consumption-beta-2025-03-01-2025-03-31.xlsx")
    assert csv_rows(file_bytes(report, "csv"))[1:] == [
        ["beta", "Beta Acopio", "2025-03-01", "30", "3", "0", "300", "10.0", "25"]
    ]
    assert [
        row[0] for row in xlsx_sheet(file_bytes(report, "xlsx")).iter_rows(min_row=2, values_only=True)
    ] == ["beta"]
    text = pdf_text(file_bytes(report, "pdf"))
    assert "Beta Acopio" in text and NAME_A not in text and "Company: Beta Acopio (beta)" in text


def test_a_period_without_rows_still_makes_files_that_open(usage):
    report = generate(kind="consumption", start=date(2020, 1, 1), end=date(2020, 1, 31), language="en")
    assert report.rows == 0
    assert csv_rows(file_bytes(report, "csv")) == [CONSUMPTION_HEADER]
    assert list(xlsx_sheet(file_bytes(report, "xlsx")).iter_rows(values_only=True)) == [
        tuple(CONSUMPTION_HEADER)
    ]
    assert "No rows for this period." in pdf_text(file_bytes(report, "pdf"))


def test_endpoints_of_one_company_and_of_all(usage):
    company_a, _company_b = usage
    report = generate(kind="endpoints", **MARCH, company=company_a, language="en", formats=["csv"])
    assert set(report.files) == {"csv"}
    rows = csv_rows(file_bytes(report, "csv"))
    assert rows[0][:3] == ["Method", "Endpoint", "Requests"]
    assert rows[1:] == [
        ["GET", "/api/v1/lots/", "82", "0", "2", "820", "8.0", "50"],
        ["POST", "/api/v1/lots/", "18", "18", "0", "180", "8.0", "10"],
    ]
    everyone = generate(kind="endpoints", **MARCH, language="en", formats=["csv"])
    assert [row[:3] for row in csv_rows(file_bytes(everyone, "csv"))[1:] if row[1] != "/api/v1/lots/"] == [
        ["GET", "/api/v1/me/", "5"]
    ]


def test_companies_with_license_users_and_calls(usage):
    company_a, company_b = usage
    License.objects.filter(company=company_a).update(
        starts_on=date(2025, 1, 1), expires_on=date(2025, 12, 31)
    )
    license_a = License.objects.get(company=company_a)
    UserDirectoryEntry.objects.create(
        company=company_a,
        user_id=99_999,
        email="gone@alpha.test",
        role="supplier",
        is_active=False,
        date_joined=timezone.now(),
    )
    report = generate(kind="companies", **MARCH, language="en", formats=["csv", "xlsx"])
    rows = csv_rows(file_bytes(report, "csv"))
    assert rows[0] == [
        "Subdomain",
        "Company",
        "RUC",
        "Kind",
        "Status",
        "License",
        "License type",
        "License status",
        "License expires on",
        "Active users",
        "Users",
        "API calls in the period",
    ]
    # beta's license starts today: none was in force on 31 March 2025
    assert only(rows[1:]) == [
        [
            "alpha",
            NAME_A,
            COMPANY_A.ruc,
            "Exporter",
            "Active",
            license_a.code,
            "SaaS",
            "Active",
            "2025-12-31",
            "2",
            "3",
            "150",
        ],
        ["beta", "Beta Acopio", company_b.ruc, "Collection center", "Active", "", "", "", "", "2", "2", "30"],
    ]
    values = only(list(xlsx_sheet(file_bytes(report, "xlsx")).iter_rows(min_row=2, values_only=True)))
    assert values[0][8] == datetime(2025, 12, 31) and values[0][9:] == (2, 3, 150)

    only_b = generate(kind="companies", **MARCH, company=company_b, language="en", formats=["csv"])
    assert [row[0] for row in csv_rows(file_bytes(only_b, "csv"))[1:]] == ["beta"]


def test_licenses_expiring_in_the_period_or_over_their_limits(usage):
    company_a, company_b = usage
    # alpha: the license that ends on 15 March, then the one in force from the 16th (within its limits)
    License.objects.filter(company=company_a).update(starts_on=date(2025, 1, 1), expires_on=date(2025, 3, 15))
    ended = License.objects.get(company=company_a)
    License.objects.create(
        company=company_a, type="vps", starts_on=date(2025, 3, 16), expires_on=date(2026, 3, 15), max_users=5
    )
    # beta: in force, not expiring, but 2 active users over 1 and 30 calls in March over 20
    License.objects.filter(company=company_b).update(
        starts_on=date(2025, 1, 1), expires_on=date(2026, 12, 31), max_users=1, max_api_calls_month=20
    )
    over = License.objects.get(company=company_b)
    report = generate(kind="licenses", **MARCH, language="en", formats=["csv", "pdf"])
    rows = csv_rows(file_bytes(report, "csv"))
    assert rows[0][5:] == [
        "Expires on",
        "Expires in the period",
        "Active users",
        "User limit",
        "API calls this month",
        "Monthly API call limit",
        "Over the limit of",
    ]
    assert only(rows[1:]) == [
        ["alpha", NAME_A, ended.code, "SaaS", "Active", "2025-03-15", "Yes", "2", "", "150", "", ""],
        [
            "beta",
            "Beta Acopio",
            over.code,
            "SaaS",
            "Active",
            "2026-12-31",
            "No",
            "2",
            "1",
            "30",
            "20",
            "users, API calls",
        ],
    ]
    assert "users, API calls" in pdf_text(file_bytes(report, "pdf"))


def invoice(company, number, issued_on, amount, paid, status, name=None):
    amount = Decimal(amount)
    tax = (amount * Decimal("0.15")).quantize(Decimal("0.01"))
    return Invoice.objects.create(
        number=number,
        company=company,
        company_name=name or company.name,
        company_ruc=company.ruc,
        license_code="TEST",
        period_start=issued_on,
        period_end=issued_on + timedelta(days=30),
        amount_usd=amount,
        tax_percent=Decimal("15.00"),
        tax_usd=tax,
        total_usd=amount + tax,
        paid_usd=Decimal(paid),
        status=status,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=15),
        provider="bank_transfer",
    )


def test_revenue_by_month_and_company(usage):
    company_a, company_b = usage
    invoice(company_a, "T-1", date(2025, 1, 10), "100.00", "115.00", "paid")
    invoice(company_a, "T-2", date(2025, 1, 20), "50.00", "20.00", "issued")
    invoice(company_b, "T-3", date(2025, 2, 5), "200.00", "0", "overdue")
    invoice(company_b, "T-4", date(2025, 2, 6), "100.00", "0", "void")  # does not count
    invoice(company_a, "T-5", date(2025, 4, 1), "100.00", "0", "issued")  # after the period
    report = generate(kind="revenue", start=date(2025, 1, 1), end=date(2025, 3, 31), language="en")
    rows = csv_rows(file_bytes(report, "csv"))
    assert rows == [
        [
            "Month",
            "Subdomain",
            "Customer",
            "Invoices",
            "Invoiced (USD)",
            "Paid (USD)",
            "Pending (USD)",
            "Overdue (USD)",
        ],
        ["2025-01-01", "alpha", NAME_A, "2", "172.50", "135.00", "37.50", "0.00"],
        ["2025-02-01", "beta", "Beta Acopio", "1", "230.00", "0.00", "230.00", "230.00"],
    ]
    sheet = xlsx_sheet(file_bytes(report, "xlsx"))
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        (datetime(2025, 1, 1), "alpha", NAME_A, 2, 172.5, 135, 37.5, 0),
        (datetime(2025, 2, 1), "beta", "Beta Acopio", 1, 230, 0, 230, 230),
    ]
    assert sheet["A2"].number_format == "yyyy-mm" and sheet["E2"].number_format == "#,##0.00"
    text = pdf_text(file_bytes(report, "pdf"))
    assert "January 2025" in text and "402.50" in text  # the month, and the invoiced total

    only_b = generate(kind="revenue", start=date(2025, 1, 1), end=date(2025, 3, 31), company=company_b)
    assert [row[1] for row in csv_rows(file_bytes(only_b, "csv"))[1:]] == ["beta"]


def test_without_the_font_file_the_pdf_keeps_spanish_letters(usage, settings):
    settings.REPORTS_PDF_FONT = ""  # the built-in Helvetica: Latin-1 only
    company_a, _ = usage
    Company.objects.filter(pk=company_a.pk).update(name="Łódź Peña Máncora")
    text = pdf_text(file_bytes(generate(kind="consumption", **MARCH, company=company_a), "pdf"))
    assert "?ód? Peña Máncora" in text


def test_a_long_pdf_stops_at_its_limit_and_says_where_the_rest_is(usage, settings):
    settings.REPORTS_PDF_MAX_ROWS = 2
    report = generate(kind="consumption", **MARCH, language="en")
    text = pdf_text(file_bytes(report, "pdf"))
    assert "The first 2 of 3 rows" in text and "Total" not in text
    assert len(csv_rows(file_bytes(report, "csv"))) == 4


def test_a_report_delivered_twice_is_written_once(usage, settings):
    report = generate(kind="consumption", **MARCH, formats=["csv"])
    finished = report.finished_at
    assert services.report_generate(report.pk).finished_at == finished
    # a report taken by a worker that is still alive is left to it; one lost long ago is taken again
    Report.objects.filter(pk=report.pk).update(status=ReportStatus.RUNNING, started_at=timezone.now())
    assert services.report_generate(report.pk).status == ReportStatus.RUNNING
    Report.objects.filter(pk=report.pk).update(started_at=timezone.now() - timedelta(days=1))
    again = services.report_generate(report.pk)
    assert again.status == ReportStatus.DONE and report_storage().exists(again.files["csv"]["name"])
    assert Report.objects.count() == 1


def test_a_report_of_a_deleted_company_fails_instead_of_reporting_everyone(usage, company_b):
    report = services.report_request(kind="consumption", **MARCH, company=company_b)
    Report.objects.filter(pk=report.pk).update(company=None)  # as the company's deletion leaves it
    failed = services.report_generate(report.pk)
    assert failed.status == ReportStatus.FAILED and "beta" in failed.error and not failed.files


def test_period_of_a_schedule_run():
    wednesday = date(2026, 3, 4)
    assert services.period_dates("previous_day", wednesday) == (date(2026, 3, 3), date(2026, 3, 3))
    assert services.period_dates("previous_week", wednesday) == (date(2026, 2, 23), date(2026, 3, 1))
    assert services.period_dates("previous_month", wednesday) == (date(2026, 2, 1), date(2026, 2, 28))
    assert services.period_dates("previous_month", date(2026, 1, 1)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert services.period_dates("previous_year", wednesday) == (date(2025, 1, 1), date(2025, 12, 31))


# --- the API ---------------------------------------------------------------------------------


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def test_staff_generate_a_report_and_download_each_format(
    usage, staff_api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            "/api/master/reports/generate",  # the path, without the slash
            {
                "kind": "consumption",
                "start": "2025-03-01",
                "end": "2025-03-31",
                "company": "alpha",
                "language": "en",
            },
            format="json",
        )
    assert response.status_code == 202, response.content
    data = response.json()
    assert (
        data["status"] == "queued"
        and data["company"] == "alpha"
        and data["formats"] == ["csv", "xlsx", "pdf"]
    )
    assert response["Location"] == data["url"] and data["url"].endswith(f"/api/master/reports/{data['id']}/")
    report = Report.objects.get(pk=data["id"])
    assert report.status == ReportStatus.DONE and report.requested_by == STAFF_EMAIL  # written on commit

    detail = staff_api.get(f"/api/master/reports/{report.pk}").json()
    assert detail["status"] == "done" and detail["rows"] == 2
    assert detail["files"]["pdf"]["download_url"].endswith(
        f"/api/master/reports/{report.pk}/download/?format=pdf"
    )
    for fmt in ("csv", "xlsx", "pdf"):
        download = staff_api.get(f"/api/master/reports/{report.pk}/download", {"format": fmt})
        assert download.status_code == 200, download.content
        assert download["Content-Type"] == CONTENT_TYPES[fmt]
        assert download["Content-Disposition"] == (
            f'attachment; filename="consumption-alpha-2025-03-01-2025-03-31.{fmt}"'
        )
        body = b"".join(download.streaming_content)
        assert body == file_bytes(report, fmt) and len(body) == detail["files"][fmt]["size"]
    assert [row[2] for row in csv_rows(file_bytes(report, "csv"))[1:]] == ["2025-03-01", "2025-03-02"]
    assert staff_api.get(f"/api/master/reports/{report.pk}/download/?format=xlsx").status_code == 200

    listed = staff_api.get("/api/master/reports/", {"kind": "consumption", "company": "alpha"}).json()
    assert [row["id"] for row in listed["results"]] == [report.pk]
    assert staff_api.get("/api/master/reports", {"company": "beta"}).json()["results"] == []
    assert staff_api.get("/api/master/reports/", {"status": "failed"}).json()["results"] == []


def test_a_download_is_404_until_done_and_400_for_an_unknown_format(usage, staff_api):
    report = services.report_request(kind="consumption", **MARCH, formats=["csv", "pdf"])  # queued, no worker
    waiting = staff_api.get(f"/api/master/reports/{report.pk}/download", {"format": "csv"})
    assert waiting.status_code == 404 and waiting.json()["code"] == "not_ready"
    unknown = staff_api.get(f"/api/master/reports/{report.pk}/download", {"format": "docx"})
    assert unknown.status_code == 400 and "format" in unknown.json()
    services.report_generate(report.pk)
    assert staff_api.get(f"/api/master/reports/{report.pk}/download", {"format": "csv"}).status_code == 200
    not_asked = staff_api.get(f"/api/master/reports/{report.pk}/download", {"format": "xlsx"})
    assert not_asked.status_code == 404 and not_asked.json()["code"] == "no_such_format"
    assert (
        staff_api.get(f"/api/master/reports/{report.pk + 1000}/download", {"format": "csv"}).status_code
        == 404
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"start": "2025-04-01"}, "start"),
        ({"start": "2024-01-01"}, "end"),  # more than REPORTS_MAX_DAYS
        ({"start": "el lunes"}, "start"),
        ({"end": None}, "end"),
        ({"kind": "sales"}, "kind"),
        ({"company": "nadie"}, "company"),
        ({"formats": ["docx"]}, "formats"),
        ({"formats": []}, "formats"),
        ({"formats": ["csv", "csv"]}, "formats"),
        ({"language": "fr"}, "language"),
    ],
)
def test_bad_report_requests_are_400_on_the_field(db, staff_api, changes, field):
    body = {"kind": "consumption", "start": "2025-03-01", "end": "2025-03-31", **changes}
    response = staff_api.post("/api/master/reports/generate/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert not Report.objects.exists()


def test_with_the_broker_down_a_requested_report_says_it_could_not_be_queued(
    db, staff_api, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.report_generate, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            "/api/master/reports/generate",
            {"kind": "companies", **{k: str(v) for k, v in MARCH.items()}},
            format="json",
        )
    assert response.status_code == 202
    report = Report.objects.get(pk=response.json()["id"])
    assert report.status == ReportStatus.FAILED and "Connection refused" in report.error


def test_company_users_reach_no_reports(usage, root_host):
    """Neither on their own host (the master API is not served there) nor on the root domain."""
    company_a, _ = usage
    report = generate(kind="consumption", **MARCH, formats=["csv"])
    host = company_a.primary_domain
    tokens = login_tokens(host, COMPANY_A.admin_email)
    on_company = bearer(host, tokens["access"])
    on_root = bearer(root_host, tokens["access"])
    paths = [
        "/api/master/reports/",
        f"/api/master/reports/{report.pk}",
        f"/api/master/reports/{report.pk}/download?format=csv",
        "/api/master/reports/scheduled",
    ]
    for path in paths:
        assert on_company.get(path).status_code == 404, path
        assert on_root.get(path).status_code in (401, 403), path
        assert api_client(root_host).get(path).status_code in (401, 403), path
    body = {"kind": "consumption", "start": "2025-03-01", "end": "2025-03-31"}
    assert on_company.post("/api/master/reports/generate", body, format="json").status_code == 404
    assert on_root.post("/api/master/reports/generate", body, format="json").status_code in (401, 403)
    schedule = {
        "name": "x",
        "kind": "companies",
        "period": "previous_day",
        "recipients": ["a@b.ec"],
        "crontab": "0 7 * * *",
    }
    assert on_root.post("/api/master/reports/scheduled", schedule, format="json").status_code in (401, 403)
    assert Report.objects.count() == 1 and not ReportSchedule.objects.exists()


# --- schedules -------------------------------------------------------------------------------

SCHEDULE = {
    "name": "Consumo mensual",
    "kind": "consumption",
    "period": "previous_month",
    "recipients": ["gerencia@triboka.test", "contabilidad@triboka.test"],
    "crontab": "0 7 1 * *",
    "language": "en",
}


def test_a_schedule_owns_its_beat_task(db, staff_api, company_b):
    response = staff_api.post("/api/master/reports/scheduled", {**SCHEDULE, "company": "beta"}, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["company"] == "beta" and data["formats"] == ["csv", "xlsx", "pdf"] and data["enabled"]
    task = PeriodicTask.objects.get(pk=data["periodic_task"])
    assert task.task == "master.reports.tasks.report_schedule_run" and json.loads(task.args) == [data["id"]]
    assert task.enabled and task.name == f"Report: Consumo mensual (#{data['id']})"
    crontab = task.crontab
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
        crontab.day_of_week,
    ) == (
        "0",
        "7",
        "1",
        "*",
        "*",
    )

    changed = staff_api.patch(
        f"/api/master/reports/scheduled/{data['id']}",
        {"crontab": "30  6 * * 1", "enabled": False},
        format="json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["crontab"] == "30 6 * * 1"
    task.refresh_from_db()
    assert not task.enabled and (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == (
        "30",
        "6",
        "1",
    )
    listed = staff_api.get("/api/master/reports/scheduled/").json()
    assert [row["name"] for row in listed["results"]] == ["Consumo mensual"]

    assert staff_api.delete(f"/api/master/reports/scheduled/{data['id']}/").status_code == 204
    assert not PeriodicTask.objects.filter(pk=task.pk).exists() and not ReportSchedule.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"crontab": "0 25 * * *"}, "crontab"),
        ({"crontab": "0 7 1 *"}, "crontab"),
        ({"recipients": []}, "recipients"),
        ({"recipients": ["no es correo"]}, "recipients"),
        ({"recipients": ["a@b.ec", "a@b.ec"]}, "recipients"),
        ({"period": "next_month"}, "period"),
        ({"formats": []}, "formats"),
        ({"company": "nadie"}, "company"),
    ],
)
def test_bad_schedules_are_400_on_the_field(db, staff_api, changes, field):
    response = staff_api.post("/api/master/reports/scheduled/", {**SCHEDULE, **changes}, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert (
        not ReportSchedule.objects.exists()
        and not PeriodicTask.objects.filter(name__startswith="Report:").exists()
    )


def test_two_schedules_cannot_share_a_name(db, staff_api):
    assert staff_api.post("/api/master/reports/scheduled", SCHEDULE, format="json").status_code == 201
    again = staff_api.post("/api/master/reports/scheduled", SCHEDULE, format="json")
    assert again.status_code == 400 and "name" in again.json()


@pytest.fixture
def last_month(named_a, company_b):
    """API consumption on the first and last day of the month before today."""
    start, end = services.period_dates("previous_month", timezone.localdate())
    usage_day(named_a, start, 40, 1, 0, 400, histogram(40))
    usage_day(company_b, end, 60, 0, 2, 600, histogram(60))
    usage_day(named_a, end + timedelta(days=1), 5, 0, 0, 5, histogram(5))  # this month: not in it
    return start, end


def run_as_beat(task: PeriodicTask):
    """What beat does with the schedule's task (inline here)."""
    return app.tasks[task.task].apply(args=json.loads(task.args), kwargs=json.loads(task.kwargs or "{}"))


def test_a_scheduled_run_emails_the_last_periods_report_once(last_month, mailoutbox):
    start, end = last_month
    schedule = services.schedule_create(**SCHEDULE, created_by=STAFF_EMAIL)
    result = run_as_beat(schedule.periodic_task)
    assert result.successful(), result.traceback
    report = Report.objects.get(schedule=schedule)
    assert (report.start, report.end, report.status) == (start, end, ReportStatus.DONE)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == SCHEDULE["recipients"]
    assert "API consumption by company and day" in message.subject
    assert "The files are attached." in message.body and "Consumo mensual" in message.body
    attachments = {name: (content, kind) for name, content, kind in message.attachments}
    stem = f"consumption-{start:%Y-%m-%d}-{end:%Y-%m-%d}"
    assert set(attachments) == {f"{stem}.csv", f"{stem}.xlsx", f"{stem}.pdf"}
    assert attachments[f"{stem}.pdf"][1] == "application/pdf" and attachments[f"{stem}.csv"][1] == "text/csv"
    assert 'Content-Type: text/csv; charset="utf-8"\n' in message.message().as_string()
    csv_content = attachments[f"{stem}.csv"][0]
    rows = csv_rows(csv_content if isinstance(csv_content, bytes) else csv_content.encode("utf-8-sig"))
    assert only(rows[1:]) == [
        ["alpha", NAME_A, start.isoformat(), "40", "1", "0", "400", "10.0", "10"],
        ["beta", "Beta Acopio", end.isoformat(), "60", "0", "2", "600", "10.0", "10"],
    ]
    report.refresh_from_db()
    assert report.emailed_to == SCHEDULE["recipients"] and report.emailed_at is not None

    # beat firing again for the same period writes and sends nothing more
    assert run_as_beat(schedule.periodic_task).successful()
    assert len(mailoutbox) == 1 and Report.objects.filter(schedule=schedule).count() == 1
    # "run now" writes and sends a new one
    tasks.report_schedule_run.apply(args=[schedule.pk], kwargs={"force": True})
    assert len(mailoutbox) == 2 and Report.objects.filter(schedule=schedule).count() == 2


def test_a_disabled_schedule_sends_nothing(last_month, mailoutbox):
    schedule = services.schedule_create(**{**SCHEDULE, "enabled": False})
    assert not schedule.periodic_task.enabled
    run_as_beat(schedule.periodic_task)
    assert mailoutbox == [] and not Report.objects.exists()


def test_large_reports_are_emailed_as_links_that_work_without_signing_in(
    last_month, mailoutbox, settings, root_host
):
    settings.REPORTS_EMAIL_ATTACH_MAX_BYTES = 10
    schedule = services.schedule_create(**{**SCHEDULE, "formats": ["csv", "pdf"]})
    run_as_beat(schedule.periodic_task)
    (message,) = mailoutbox
    assert message.attachments == []
    links = re.findall(r"https?://\S+/api/master/reports/files/\S+", message.body)
    assert len(links) == 2 and "7 days" in message.body
    report = Report.objects.get(schedule=schedule)
    anonymous = api_client(root_host)
    for link in links:
        path = link.split(root_host, 1)[1].split("/", 1)[1]
        response = anonymous.get("/" + path)
        assert response.status_code == 200, response.content
        fmt = "csv" if response["Content-Type"].startswith("text/csv") else "pdf"
        assert b"".join(response.streaming_content) == file_bytes(report, fmt)
    tampered = "/" + links[0].split(root_host, 1)[1].split("/", 1)[1][:-3] + "xyz"
    assert anonymous.get(tampered).status_code == 404
    # another report's id under this link's signature
    token = links[0].rsplit("/", 1)[1]
    _payload, stamp, signature = token.split(":")
    other = signing.b64_encode(json.dumps({"report": report.pk + 1, "format": "csv"}).encode()).decode()
    assert anonymous.get(f"/api/master/reports/files/{other}:{stamp}:{signature}").status_code == 404


def test_a_schedule_deleted_with_its_company_takes_its_beat_task_along(db, company_b):
    schedule = services.schedule_create(**{**SCHEDULE, "company": company_b})
    task = schedule.periodic_task
    ReportSchedule.objects.filter(pk=schedule.pk).delete()  # as deleting the company cascades
    assert run_as_beat(task).successful()
    assert not PeriodicTask.objects.filter(pk=task.pk).exists()


# --- a real worker ---------------------------------------------------------------------------

MAY_2024 = {"start": date(2024, 5, 1), "end": date(2024, 5, 31)}


@pytest.fixture
def committed_usage(django_db_setup, django_db_blocker):
    """Rows the worker (another process) can read; removed afterwards."""
    with django_db_blocker.unblock():
        alpha, beta = Company.objects.get(slug="alpha"), Company.objects.get(slug="beta")
        usage_day(alpha, date(2024, 5, 2), 12, 0, 0, 120, histogram(12))
        usage_day(beta, date(2024, 5, 3), 7, 1, 0, 70, histogram(0, 7))
        yield
        Report.objects.filter(start=MAY_2024["start"]).delete()
        CompanyUsageDaily.objects.filter(day__gte=MAY_2024["start"], day__lte=MAY_2024["end"]).delete()


def test_a_real_worker_writes_the_report(committed_usage, django_db_blocker, tmp_path, settings):
    root = tmp_path / "worker-reports"
    settings.REPORTS_ROOT = tmp_path / "test-process"  # where the files would be, were it written here
    worker = celery_worker(REPORTS_ROOT=str(root))
    app.conf.task_always_eager = False
    try:
        with django_db_blocker.unblock():
            report = services.report_queue(
                kind="consumption", **MAY_2024, language="en"
            )  # sent at once: no transaction

            def written():
                return Report.objects.get(pk=report.pk).status in (ReportStatus.DONE, ReportStatus.FAILED)

            wait_for(written, 120, "the worker to write the report")
            report.refresh_from_db()
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)
    assert report.status == ReportStatus.DONE, report.error
    assert (root / report.files["csv"]["name"]).is_file() and not (tmp_path / "test-process").exists()
    settings.REPORTS_ROOT = root
    assert only(csv_rows(file_bytes(report, "csv"))[1:]) == [
        ["alpha", Company.objects.get(slug="alpha").name, "2024-05-02", "12", "0", "0", "120", "10.0", "10"],
        ["beta", "Beta Acopio", "2024-05-03", "7", "1", "0", "70", "10.0", "25"],
    ]
    assert (
        list(xlsx_sheet(file_bytes(report, "xlsx")).iter_rows(min_row=2, max_col=4, values_only=True))[0][3]
        == 12
    )
    assert "Beta Acopio" in pdf_text(file_bytes(report, "pdf"))


# --- the admin -------------------------------------------------------------------------------


@pytest.fixture
def staff_browser(db, root_host) -> Client:
    client = Client(HTTP_HOST=root_host)
    assert client.login(email=STAFF_EMAIL, password=PASSWORD)
    return client


def test_staff_generate_and_download_reports_in_the_admin(
    usage, staff_browser, django_capture_on_commit_callbacks
):
    form = {
        "kind": "consumption",
        "start": "2025-03-01",
        "end": "2025-03-31",
        "company": "",
        "language": "en",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_browser.post("/admin/reports/report/add/", {**form, "formats": ["csv", "pdf"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    report = Report.objects.get()
    assert report.status == ReportStatus.DONE and set(report.files) == {"csv", "pdf"}
    page = staff_browser.get("/admin/reports/report/").content.decode()
    link = f"/admin/reports/report/{report.pk}/download/csv/"
    assert link in page
    download = staff_browser.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == file_bytes(report, "csv")
    assert staff_browser.get(f"/admin/reports/report/{report.pk}/download/xlsx/").status_code == 404
    assert staff_browser.get(f"/admin/reports/report/{report.pk}/change/").status_code == 200  # read only

    bad = staff_browser.post(
        "/admin/reports/report/add/", {**form, "start": "2025-04-01", "formats": ["csv"]}
    )
    assert bad.status_code == 200 and Report.objects.count() == 1  # the form shows the error

    with django_capture_on_commit_callbacks(execute=True):
        staff_browser.post(
            "/admin/reports/report/", {"action": "generate_again", "_selected_action": [report.pk]}
        )
    again = Report.objects.exclude(pk=report.pk).get()
    assert (again.kind, again.start, again.formats, again.status) == (
        "consumption",
        MARCH["start"],
        ["csv", "pdf"],
        "done",
    )
    assert again.files["csv"]["name"] != report.files["csv"]["name"]

    staff_browser.post(
        "/admin/reports/report/",
        {"action": "delete_selected", "_selected_action": [report.pk, again.pk], "post": "yes"},
    )
    assert not Report.objects.exists() and not report_storage().exists(report.files["csv"]["name"])


def test_staff_edit_and_run_schedules_in_the_admin(
    last_month, staff_browser, mailoutbox, django_capture_on_commit_callbacks
):
    form = {
        "name": "Licencias semanales",
        "kind": "licenses",
        "period": "previous_week",
        "company": "",
        "formats": ["xlsx"],
        "language": "es",
        "recipients": "a@triboka.test\nb@triboka.test",
        "crontab": "0 8 * * 1",
        "enabled": "on",
    }
    response = staff_browser.post("/admin/reports/reportschedule/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    schedule = ReportSchedule.objects.get()
    assert schedule.recipients == ["a@triboka.test", "b@triboka.test"] and schedule.created_by == STAFF_EMAIL
    assert schedule.periodic_task.enabled and schedule.periodic_task.crontab.day_of_week == "1"
    staff_browser.post(
        f"/admin/reports/reportschedule/{schedule.pk}/change/",
        {**form, "enabled": "", "crontab": "0 9 * * 1"},
    )
    schedule.periodic_task.refresh_from_db()
    assert not schedule.periodic_task.enabled and schedule.periodic_task.crontab.hour == "9"
    with django_capture_on_commit_callbacks(execute=True):  # disabled, but "run now" runs it
        staff_browser.post(
            "/admin/reports/reportschedule/", {"action": "run_now", "_selected_action": [schedule.pk]}
        )
    (message,) = mailoutbox
    assert message.to == ["a@triboka.test", "b@triboka.test"] and len(message.attachments) == 1
    report = Report.objects.get(schedule=schedule)
    assert (report.kind, report.status, report.formats) == ("licenses", "done", ["xlsx"])
    assert (report.start, report.end) == services.period_dates("previous_week", timezone.localdate())
    task_id = schedule.periodic_task_id
    staff_browser.post(f"/admin/reports/reportschedule/{schedule.pk}/delete/", {"post": "yes"})
    assert not ReportSchedule.objects.exists() and not PeriodicTask.objects.filter(pk=task_id).exists()
