"""Support analytics: the figures against a small hand-made set of tickets (median and p90
exact, breaches, CSAT by month in local time), the staff-only API, the dashboard's section
and the support report in CSV, XLSX and PDF."""

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
from django.urls import get_resolver
from django.utils import timezone

from master.analytics.api import SupportView
from master.analytics.support import support_figures
from master.reports import services
from master.reports.models import ReportStatus
from master.reports.storage import report_storage
from support.tickets.models import SatisfactionResponse, Ticket, TicketStatus
from tests.conftest import COMPANY_A, PASSWORD, STAFF_EMAIL, api_client, bearer, login_tokens, web_client

LOCAL = ZoneInfo("America/Guayaquil")
BASE = datetime(2025, 3, 10, 9, 0, tzinfo=LOCAL)
MARCH = {"first": date(2025, 3, 1), "last": date(2025, 3, 31)}
NOW = datetime(2025, 3, 31, 18, 0, tzinfo=LOCAL)
HOUR = timedelta(hours=1)


def ticket(company, number, *, created=BASE, priority="normal", category="question", module="", **fields):
    """A ticket made with the ORM; dues default to a day after it was opened."""
    fields.setdefault("first_response_due", created + 24 * HOUR)
    fields.setdefault("resolution_due", created + 48 * HOUR)
    return Ticket.objects.create(
        number=f"SUP-2025-{number:06d}",
        company=company,
        requester_user_id=1,
        requester_email=f"user@{company.slug}.test",
        subject=f"Ticket {number}",
        priority=priority,
        category=category,
        module=module,
        created_at=created,
        **fields,
    )


def answer(ticket_, rating, answered_at):
    return SatisfactionResponse.objects.create(ticket=ticket_, rating=rating, answered_at=answered_at)


@pytest.fixture
def tickets(db, company_a, company_b):
    """March 2025: four tickets of A, one of B (and its merged duplicate); older ones of both."""
    resolved = {"status": TicketStatus.RESOLVED}
    t1 = ticket(
        company_a,
        1,
        priority="urgent",
        category="bug",
        module="lots",
        first_response_at=BASE + HOUR,
        first_response_due=BASE + 2 * HOUR,
        resolved_at=BASE + 10 * HOUR,
        resolution_due=BASE + 8 * HOUR,
        **resolved,
    )  # resolved late
    t2 = ticket(
        company_a,
        2,
        module="contracts",
        first_response_at=BASE + 2 * HOUR,
        first_response_due=BASE + 4 * HOUR,
        resolved_at=BASE + 20 * HOUR,
        **resolved,
    )
    ticket(
        company_a,
        3,
        priority="high",
        category="bug",
        module="lots",
        status=TicketStatus.OPEN,
        first_response_at=BASE + 3 * HOUR,
        first_response_due=BASE + 2 * HOUR,
    )  # late, and overdue
    soon = timezone.now() + timedelta(days=3)  # its targets lie ahead, whatever day the test runs
    ticket(company_a, 4, priority="low", first_response_due=soon, resolution_due=soon)
    t5 = ticket(
        company_b,
        5,
        priority="urgent",
        category="billing",
        first_response_at=BASE + 4 * HOUR,
        first_response_due=BASE + HOUR,
        resolved_at=BASE + 40 * HOUR,
        resolution_due=BASE + 24 * HOUR,
        **resolved,
    )
    ticket(company_b, 7, status=TicketStatus.CLOSED, merged_into=t5)  # a duplicate: not counted
    ticket(company_b, 6, created=datetime(2025, 1, 20, 10, tzinfo=LOCAL), status=TicketStatus.OPEN)
    t8 = ticket(
        company_a,
        8,
        created=datetime(2025, 1, 5, 10, tzinfo=LOCAL),
        status=TicketStatus.CLOSED,
        first_response_at=datetime(2025, 1, 5, 11, tzinfo=LOCAL),
        resolved_at=datetime(2025, 1, 6, 10, tzinfo=LOCAL),
    )
    t9 = ticket(
        company_b,
        9,
        created=datetime(2025, 2, 20, 10, tzinfo=LOCAL),
        status=TicketStatus.CLOSED,
        first_response_at=datetime(2025, 2, 20, 11, tzinfo=LOCAL),
        resolved_at=datetime(2025, 2, 27, 10, tzinfo=LOCAL),
    )
    answer(t1, 5, BASE + 11 * HOUR)
    answer(t2, 3, BASE + 21 * HOUR)
    answer(t5, 4, BASE + 41 * HOUR)
    answer(t8, 1, datetime(2025, 1, 7, 10, tzinfo=LOCAL))
    answer(t9, 4, datetime(2025, 3, 1, 3, 0, tzinfo=ZoneInfo("UTC")))  # 28 February, 22:00 in Ecuador
    return company_a, company_b


def test_support_figures_match_the_hand_computed_ones(tickets):
    figures = support_figures(**MARCH, months=3, now=NOW)

    # first responses in March: 1, 2, 3, 4 h; resolutions in March: 10, 20, 40 h
    assert figures["first_response_hours"] == {"tickets": 4, "median": 2.5, "p90": 3.7}
    assert figures["resolution_hours"] == {"tickets": 3, "median": 20.0, "p90": 36.0}

    opened = figures["opened"]
    assert opened["total"] == 5  # the merged duplicate and the older tickets are not
    assert opened["breaches"] == {"first_response": 2, "resolution": 3, "any": 3}
    assert opened["by_category"] == {"bug": 2, "question": 2, "billing": 1}
    assert opened["by_module"] == {"": 2, "lots": 2, "contracts": 1}
    assert opened["top_companies"] == [
        {
            "company": "alpha",
            "name": COMPANY_A.name,
            "tickets": 4,
            "urgent_or_high": 2,
            "bugs": 2,
            "breached": 2,
        },
        {
            "company": "beta",
            "name": "Beta Acopio",
            "tickets": 1,
            "urgent_or_high": 1,
            "bugs": 0,
            "breached": 1,
        },
    ]

    still_open = figures["open"]  # 3 and 4 of A, 6 of B (from January, overdue)
    assert still_open["total"] == 3 and still_open["breached"] == 2
    assert still_open["by_priority"] == {"low": 1, "normal": 1, "high": 1, "urgent": 0}
    assert [(row["company"], row["total"], row["breached"]) for row in still_open["companies"]] == [
        ("alpha", 2, 1),
        ("beta", 1, 1),
    ]
    assert still_open["companies"][0]["by_priority"] == {"low": 1, "normal": 0, "high": 1, "urgent": 0}

    assert figures["csat"] == {"answers": 3, "satisfied": 2, "csat": 66.7, "mean_rating": 4.0}
    assert figures["csat_by_month"] == [
        {"month": date(2025, 1, 1), "answers": 1, "satisfied": 0, "csat": 0.0, "mean_rating": 1.0},
        {"month": date(2025, 2, 1), "answers": 1, "satisfied": 1, "csat": 100.0, "mean_rating": 4.0},
        {"month": date(2025, 3, 1), "answers": 3, "satisfied": 2, "csat": 66.7, "mean_rating": 4.0},
    ]


def test_the_figures_take_a_handful_of_queries_whatever_the_companies(tickets, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        support_figures(**MARCH, now=NOW)


# --- the API ---------------------------------------------------------------------------------


def test_staff_read_the_support_figures(tickets, staff_api):
    for path in ("/api/master/analytics/support", "/api/master/analytics/support/"):
        response = staff_api.get(path, {"days": 7, "months": 24})
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["open"]["total"] == 3 and data["open"]["by_priority"]["high"] == 1
        assert len(data["csat_by_month"]) == 24
    assert "days" in staff_api.get("/api/master/analytics/support", {"days": 0}).json()
    assert "months" in staff_api.get("/api/master/analytics/support", {"months": 99}).json()


def test_company_users_cannot_reach_the_support_figures(tickets, root_host):
    company_a, _ = tickets
    host = company_a.primary_domain
    tokens = login_tokens(host, COMPANY_A.admin_email)
    for path in ("/api/master/analytics/support", "/api/master/analytics/support/"):
        assert bearer(host, tokens["access"]).get(path).status_code == 404
        assert bearer(root_host, tokens["access"]).get(path).status_code in (401, 403)
        assert api_client(root_host).get(path).status_code in (401, 403)


def _views(resolver):
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern)
        else:
            yield getattr(pattern.callback, "view_class", None)


def test_no_company_route_serves_the_support_figures():
    assert SupportView in set(_views(get_resolver("triboka.urls_public")))
    assert SupportView not in set(_views(get_resolver("triboka.urls_tenant")))


# --- the dashboard ---------------------------------------------------------------------------


def test_the_admin_dashboard_has_the_support_section(tickets, root_host):
    client = web_client(root_host)
    assert client.login(email=STAFF_EMAIL, password=PASSWORD)
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="master-support"')
    section = html[start : html.index("</section>\n  <h2", start)]
    assert "Open tickets by priority" in section or "Tickets abiertos por prioridad" in section
    assert section.count("<svg") >= 4
    table = section[section.index('id="support-open-companies"') :]
    assert table.index("alpha") < table.index("beta")  # most open tickets first


# --- the report ------------------------------------------------------------------------------

HEADER = [
    "Subdomain",
    "Company",
    "Tickets opened",
    "Still open",
    "Urgent",
    "Late first responses",
    "Late resolutions",
    "First response, median (h)",
    "First response, p90 (h)",
    "Resolution, median (h)",
    "Resolution, p90 (h)",
    "Survey answers",
    "CSAT (%)",
    "Mean rating",
]
ALPHA = ["alpha", COMPANY_A.name, 4, 2, 1, 1, 2, 2.0, 2.8, 15.0, 19.0, 2, 50.0, 4.0]
BETA = ["beta", "Beta Acopio", 1, 0, 1, 1, 1, 4.0, 4.0, 40.0, 40.0, 1, 100.0, 4.0]


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"


def generate(**fields):
    report = services.report_generate(services.report_request(kind="support", **fields).pk)
    assert report.status == ReportStatus.DONE, report.error
    return report


def read(report, fmt) -> bytes:
    with report_storage().open(report.files[fmt]["name"], "rb") as content:
        return content.read()


def test_the_support_report_in_csv_xlsx_and_pdf(tickets):
    report = generate(start=MARCH["first"], end=MARCH["last"], language="en")
    rows = list(csv.reader(io.StringIO(read(report, "csv").decode("utf-8-sig"))))
    assert rows[0] == HEADER
    assert [row for row in rows[1:] if row[0] in ("alpha", "beta")] == [
        [str(value) for value in ALPHA],
        [str(value) for value in BETA],
    ]

    sheet = openpyxl.load_workbook(io.BytesIO(read(report, "xlsx"))).active
    values = [
        list(row) for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] in ("alpha", "beta")
    ]
    assert values == [ALPHA, BETA]

    pdf = read(report, "pdf")
    assert pdf.startswith(b"%PDF-")
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Support tickets by company" in text and COMPANY_A.name in text and "Beta Acopio" in text
    assert "Total" in text


def test_the_support_report_of_one_company_holds_only_its_tickets(tickets):
    _, company_b = tickets
    report = generate(
        start=MARCH["first"], end=MARCH["last"], company=company_b, language="en", formats=["csv"]
    )
    rows = list(csv.reader(io.StringIO(read(report, "csv").decode("utf-8-sig"))))
    assert rows[1:] == [[str(value) for value in BETA]]
