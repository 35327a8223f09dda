"""Billing: invoices of renewals, payments, reminders, the expiry of the unpaid, the master
API and admin pages. The daily job is called with the day it runs on (dates relative to
today, since a license is in force from the day it started)."""

import re
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from master.billing.models import Invoice, InvoiceSequence, Payment, Reminder, ReminderKind, ReminderStage
from master.billing.renewals import billing_daily_run
from master.billing.selectors import revenue_by_month
from master.billing.services import invoice_issue, invoice_number_next, payment_record
from master.licensing.enforcement import LicenseTerms, license_refusal
from master.licensing.services import add_months, license_update
from tests.support.celery_probe import slow_effect
from tests.support.workers import celery_worker, wait_for
from triboka.accounts.models import Role
from triboka.accounts.services import user_create
from triboka.redis_client import redis_client

from ..conftest import COMPANY_A, COMPANY_B, PASSWORD, STAFF_EMAIL, bearer, login_tokens

URL = "/api/master/invoices/"
TODAY = timezone.localdate()
NUMBER = re.compile(r"^TRB-\d{4}-\d{6}$")
NOTHING_TO_DO = {"overdue": 0, "voided": 0, "closed": 0, "issued": 0, "reminders": 0}


def _terms(license, **terms):
    return license_update(license=license, **terms)


@pytest.fixture
def renewing(company_a):
    """Company A's license: auto-renew, USD 100 a month before IVA, expiring in 30 days."""
    return _terms(
        company_a.licenses.get(),
        expires_on=TODAY + timedelta(days=30),
        auto_renew=True,
        price_usd=Decimal("100.00"),
        billing_period="monthly",
    )


@pytest.fixture
def invoice(renewing):
    billing_daily_run(today=TODAY)
    mail.outbox.clear()
    return Invoice.objects.get(license=renewing)


def _recipients() -> list[list[str]]:
    return [message.to for message in mail.outbox]


# --- the daily job: invoices ----------------------------------------------------------


def test_the_job_invoices_an_auto_renew_license_30_days_out_once(renewing):
    first = billing_daily_run(today=TODAY)
    second = billing_daily_run(today=TODAY)
    assert first["issued"] == 1 and second == NOTHING_TO_DO
    invoice = Invoice.objects.get(license=renewing)
    assert NUMBER.match(invoice.number) and invoice.number.startswith(f"TRB-{TODAY.year}-")
    assert (invoice.period_start, invoice.period_end) == (
        renewing.expires_on,
        add_months(renewing.expires_on, 1),
    )
    assert (invoice.amount_usd, invoice.tax_usd, invoice.total_usd) == (
        Decimal("100.00"),
        Decimal("15.00"),
        Decimal("115.00"),
    )
    assert invoice.status == "issued" and invoice.due_on == TODAY + timedelta(days=15)
    assert (invoice.company_name, invoice.company_ruc) == (COMPANY_A.name, COMPANY_A.ruc)
    # One e-mail, to company A's administrator only (not its exporter, not company B).
    assert _recipients() == [[COMPANY_A.admin_email]] and invoice.sent_to == [COMPANY_A.admin_email]
    body = mail.outbox[0].body
    assert invoice.number in body and "0000000000" in body and "115" in body  # the bank account
    # The invoice e-mail is that day's reminder: no second e-mail.
    reminder = Reminder.objects.get(license=renewing)
    assert (reminder.stage, reminder.kind, reminder.invoice) == (
        ReminderStage.DAYS_30,
        ReminderKind.INVOICE,
        invoice,
    )


def test_licenses_not_due_or_not_auto_renew_are_not_invoiced(company_a, company_b):
    _terms(company_a.licenses.get(), expires_on=TODAY + timedelta(days=31), auto_renew=True, price_usd=10)
    _terms(company_b.licenses.get(), expires_on=TODAY + timedelta(days=5), auto_renew=False, price_usd=10)
    assert billing_daily_run(today=TODAY)["issued"] == 0
    assert not Invoice.objects.exists()


def test_a_suspended_license_is_neither_invoiced_nor_reminded(renewing):
    from master.licensing.services import license_suspend

    license_suspend(license=renewing)
    assert billing_daily_run(today=TODAY) == NOTHING_TO_DO and mail.outbox == []


def test_a_free_auto_renew_license_is_renewed_with_a_paid_invoice_and_no_mail(company_a):
    license = _terms(
        company_a.licenses.get(), expires_on=TODAY + timedelta(days=10), auto_renew=True, price_usd=0
    )
    billing_daily_run(today=TODAY)
    invoice = Invoice.objects.get(license=license)
    license.refresh_from_db()
    assert invoice.status == "paid" and invoice.total_usd == 0
    assert license.expires_on == add_months(TODAY + timedelta(days=10), 1)
    assert mail.outbox == []


def test_invoice_numbers_follow_each_other_within_the_year(company_a, company_b):
    licenses = [
        _terms(company.licenses.get(), expires_on=TODAY + timedelta(days=20), auto_renew=True, price_usd=50)
        for company in (company_a, company_b)
    ]
    first, second = (invoice_issue(license=license) for license in licenses)
    assert NUMBER.match(first.number) and NUMBER.match(second.number)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1


def test_invoice_numbers_never_collide_nor_skip_under_concurrent_issues(django_db_setup, django_db_blocker):
    """Real transactions on separate connections (a year no other test uses)."""
    year = 2999

    def allocate(count):
        try:
            numbers = []
            for _ in range(count):
                with transaction.atomic():
                    numbers.append(invoice_number_next(year))
            return numbers
        finally:
            connection.close()

    with django_db_blocker.unblock():
        try:
            with ThreadPoolExecutor(4) as pool:
                numbers = [number for chunk in pool.map(allocate, [10] * 4) for number in chunk]
            assert sorted(numbers) == [f"TRB-2999-{n:06d}" for n in range(1, 41)]
            with transaction.atomic():  # an issue that fails gives its number back
                assert invoice_number_next(year) == "TRB-2999-000041"
                transaction.set_rollback(True)
            assert invoice_number_next(year) == "TRB-2999-000041"
        finally:
            InvoiceSequence.objects.filter(year=year).delete()


# --- payments -------------------------------------------------------------------------


def test_a_full_payment_marks_it_paid_and_renews_the_license_by_one_period(
    staff_api, invoice, django_capture_on_commit_callbacks, caplog
):
    expiry = invoice.license.expires_on
    caplog.set_level("INFO", logger="master.billing.events")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(
            f"{URL}{invoice.pk}/payments/",
            {"amount_usd": "115.00", "reference": "PICH-0001", "received_on": str(TODAY)},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "paid" and body["balance_usd"] == "0.00"
    assert [p["reference"] for p in body["payments"]] == ["PICH-0001"]
    assert body["payments"][0]["recorded_by"] == STAFF_EMAIL
    invoice.license.refresh_from_db()
    assert invoice.license.expires_on == add_months(expiry, 1) == invoice.period_end
    assert _recipients() == [[COMPANY_A.admin_email]] and invoice.number in mail.outbox[0].body  # the receipt
    assert f"Invoice {invoice.number} paid" in caplog.text  # the webhook's call site, after commit
    from triboka.audit.models import AuditEvent  # the staff member's payment is in the platform's audit

    event = AuditEvent.objects.get(action="payment_recorded")
    assert (event.actor_email, event.company_slug, event.after["reference"]) == (
        STAFF_EMAIL,
        "alpha",
        "PICH-0001",
    )
    # The job renews nothing more and issues nothing for a period already paid.
    assert billing_daily_run(today=TODAY) == NOTHING_TO_DO
    invoice.license.refresh_from_db()
    assert invoice.license.expires_on == invoice.period_end


def test_a_partial_payment_keeps_it_issued_with_the_balance_due(staff_api, invoice):
    expiry = invoice.license.expires_on
    url = f"{URL}{invoice.pk}/payments/"
    partial = staff_api.post(url, {"amount_usd": "50.00", "reference": "P-1"}, format="json").json()
    assert (partial["status"], partial["paid_usd"], partial["balance_usd"]) == ("issued", "50.00", "65.00")
    invoice.license.refresh_from_db()
    assert invoice.license.expires_on == expiry  # not renewed yet
    over = staff_api.post(url, {"amount_usd": "65.01", "reference": "P-2"}, format="json")
    assert over.status_code == 400 and "65" in over.json()["amount_usd"][0]
    rest = staff_api.post(url, {"amount_usd": "65.00", "reference": "P-2"}, format="json").json()
    assert rest["status"] == "paid" and rest["paid_usd"] == "115.00"
    invoice.license.refresh_from_db()
    assert invoice.license.expires_on == invoice.period_end
    assert staff_api.post(url, {"amount_usd": "1.00", "reference": "P-3"}, format="json").status_code == 400


def test_a_reference_already_recorded_is_refused_with_400(staff_api, invoice, company_b):
    url = f"{URL}{invoice.pk}/payments/"
    assert (
        staff_api.post(url, {"amount_usd": "10.00", "reference": "DUP-9"}, format="json").status_code == 201
    )
    again = staff_api.post(url, {"amount_usd": "10.00", "reference": " DUP-9 "}, format="json")
    assert again.status_code == 400 and "reference" in again.json()
    other = invoice_issue(
        license=_terms(
            company_b.licenses.get(), expires_on=TODAY + timedelta(days=3), auto_renew=True, price_usd=5
        )
    )
    elsewhere = staff_api.post(
        f"{URL}{other.pk}/payments/", {"amount_usd": "1.00", "reference": "DUP-9"}, format="json"
    )
    assert elsewhere.status_code == 400 and "reference" in elsewhere.json()
    invoice.refresh_from_db()
    assert invoice.paid_usd == Decimal("10.00") and Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"amount_usd": "-5", "reference": "N-1"}, "amount_usd"),
        ({"amount_usd": "0", "reference": "N-1"}, "amount_usd"),
        ({"amount_usd": "cien", "reference": "N-1"}, "amount_usd"),
        ({"amount_usd": "5"}, "reference"),
        ({"amount_usd": "5", "reference": "   "}, "reference"),
        ({"amount_usd": "5", "reference": "N-1", "provider": "paypal"}, "provider"),
        (
            {"amount_usd": "5", "reference": "N-1", "received_on": str(TODAY + timedelta(days=1))},
            "received_on",
        ),
    ],
)
def test_bad_payments_answer_400_on_the_field(staff_api, invoice, body, field):
    response = staff_api.post(f"{URL}{invoice.pk}/payments/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Payment.objects.exists()


def test_a_void_invoice_takes_no_payment_and_may_be_issued_again(staff_api, invoice):
    voided = staff_api.post(f"{URL}{invoice.pk}/void/", {"note": "wrong price"}, format="json").json()
    assert (
        voided["status"] == "void" and voided["void_reason"] == "staff" and voided["voided_by"] == STAFF_EMAIL
    )
    paid = staff_api.post(
        f"{URL}{invoice.pk}/payments/", {"amount_usd": "1.00", "reference": "V-1"}, format="json"
    )
    assert paid.status_code == 400 and "non_field_errors" in paid.json()
    assert billing_daily_run(today=TODAY)["issued"] == 0  # the job leaves a voided period to staff
    again = staff_api.post(URL, {"license": invoice.license_code}, format="json")
    assert again.status_code == 201, again.content
    assert again.json()["number"] != invoice.number and again.json()["issued_by"] == STAFF_EMAIL
    twice = staff_api.post(URL, {"license": invoice.license_code}, format="json")
    assert twice.status_code == 400 and invoice.number not in twice.json()["license"][0]


def test_a_paid_invoice_cannot_be_void(staff_api, invoice):
    payment_record(invoice=invoice, provider="bank_transfer", amount_usd=Decimal("115.00"), reference="F-1")
    response = staff_api.post(f"{URL}{invoice.pk}/void/", format="json")
    assert response.status_code == 400
    invoice.refresh_from_db()
    assert invoice.status == "paid"


# --- reminders ------------------------------------------------------------------------


@pytest.fixture
def english_admin(company_a):
    with tenant_context(company_a):
        user_create(email="owner@alpha.test", role=Role.ADMIN, language="en", password=PASSWORD)
    connection.set_schema_to_public()
    return "owner@alpha.test"


def test_reminders_go_out_30_7_and_1_days_before_once_each_to_that_companys_admins(
    company_a, company_b, english_admin
):
    a = _terms(company_a.licenses.get(), expires_on=TODAY + timedelta(days=30), price_usd=20)
    b = _terms(company_b.licenses.get(), expires_on=TODAY + timedelta(days=37), price_usd=20)
    sent = {}
    for day in (0, 0, 1, 7, 22, 23, 23, 28, 29, 29, 30):
        mail.outbox.clear()
        billing_daily_run(today=TODAY + timedelta(days=day))
        sent[day] = sent.get(day, []) + [(m.to[0], m.subject, m.body) for m in mail.outbox]
    alpha = sorted([COMPANY_A.admin_email, english_admin])
    # A: 30 days out, 7 and 1; each to both of A's admins; B: at 30 and 7 days (days 7 and 30).
    assert sorted(to for to, *_ in sent[0]) == alpha
    assert sorted(to for to, *_ in sent[7]) == [COMPANY_B.admin_email]
    assert sorted(to for to, *_ in sent[23]) == alpha
    assert sorted(to for to, *_ in sent[29]) == alpha
    assert sorted(to for to, *_ in sent[30]) == [COMPANY_B.admin_email]
    assert all(not sent[day] for day in (1, 22, 28))
    for messages in sent.values():
        for to, _subject, body in messages:
            mine, theirs = (a, b) if to in alpha else (b, a)
            assert mine.code in body and theirs.code not in body
    stages = sorted(Reminder.objects.filter(license=a).values_list("stage", "kind"))
    assert stages == [(1, "renew"), (7, "renew"), (30, "renew")]
    # Each in its reader's language (dates are written in it).
    by_reader = {to: subject for to, subject, _ in sent[0]}
    assert "de" in by_reader[COMPANY_A.admin_email].split() and " de " not in by_reader[english_admin]


def test_a_missed_day_still_sends_the_reminder_once(company_a):
    license = _terms(company_a.licenses.get(), expires_on=TODAY + timedelta(days=12))
    billing_daily_run(today=TODAY + timedelta(days=7))  # 5 days left: the 7-day reminder, late
    billing_daily_run(today=TODAY + timedelta(days=8))
    assert list(Reminder.objects.filter(license=license).values_list("stage", flat=True)) == [7]
    assert len(mail.outbox) == 1


def test_auto_renew_reminders_ask_to_pay_the_pending_invoice_until_it_is_paid(invoice):
    billing_daily_run(today=TODAY + timedelta(days=23))
    (reminder,) = mail.outbox
    assert invoice.number in reminder.subject and "0000000000" in reminder.body  # how to pay
    invoice.refresh_from_db()
    assert invoice.status == "overdue"  # due 15 days after it was issued
    payment_record(invoice=invoice, provider="bank_transfer", amount_usd=Decimal("115.00"), reference="R-1")
    mail.outbox.clear()
    billing_daily_run(today=TODAY + timedelta(days=29))
    assert mail.outbox == []  # renewed: nothing to remind


# --- the unpaid expire ----------------------------------------------------------------


def test_the_unpaid_invoice_is_void_and_the_company_told_when_the_grace_period_ends(invoice, settings):
    license = invoice.license
    expiry = license.expires_on
    last_grace_day = expiry + timedelta(days=settings.LICENSE_GRACE_DAYS)
    billing_daily_run(today=last_grace_day)
    invoice.refresh_from_db()
    assert invoice.status == "overdue"  # the site is read-only, still payable
    mail.outbox.clear()
    closed_day = last_grace_day + timedelta(days=1)
    assert billing_daily_run(today=closed_day) == {**NOTHING_TO_DO, "voided": 1, "closed": 1}
    invoice.refresh_from_db()
    license.refresh_from_db()
    assert (invoice.status, invoice.void_reason) == ("void", "unpaid")
    assert license.expires_on == expiry and license.status == "active"  # not renewed, not suspended
    assert license_refusal(LicenseTerms.of(license), path="/", method="GET", today=closed_day).code == (
        "license_expired"
    )
    assert _recipients() == [[COMPANY_A.admin_email]] and invoice.number in mail.outbox[0].body
    assert Reminder.objects.filter(license=license, stage=ReminderStage.CLOSED).count() == 1
    assert billing_daily_run(today=closed_day) == NOTHING_TO_DO
    assert billing_daily_run(today=closed_day + timedelta(days=1)) == NOTHING_TO_DO
    with pytest.raises(ValidationError) as refused:  # staff first give it a new expiry
        invoice_issue(license=license, today=closed_day)
    assert "período de gracia terminó" in refused.value.message_dict["license"][0]


def test_a_license_that_closed_long_ago_gets_no_notice(company_a, settings):
    _terms(
        company_a.licenses.get(),
        starts_on=TODAY - timedelta(days=400),
        expires_on=TODAY - timedelta(days=200),
    )
    assert billing_daily_run(today=TODAY) == NOTHING_TO_DO and mail.outbox == []


# --- the master API -------------------------------------------------------------------


def test_staff_list_and_filter_invoices(staff_api, invoice, company_b):
    other = invoice_issue(
        license=_terms(
            company_b.licenses.get(), expires_on=TODAY + timedelta(days=3), auto_renew=True, price_usd=5
        )
    )
    numbers = lambda **params: [row["number"] for row in staff_api.get(URL, params).json()["results"]]  # noqa: E731
    assert set(numbers()) == {invoice.number, other.number}
    assert numbers(company=COMPANY_A.slug) == [invoice.number]
    assert numbers(status="paid") == []
    assert numbers(period=invoice.period_start.strftime("%Y-%m"), company=COMPANY_A.slug) == [invoice.number]
    assert numbers(issued=TODAY.strftime("%Y-%m"), company=COMPANY_B.slug) == [other.number]
    assert staff_api.get(URL, {"period": "2026-13"}).status_code == 400
    detail = staff_api.get(f"{URL}{invoice.pk}/").json()
    assert detail["company"] == COMPANY_A.slug and detail["license"] == invoice.license_code
    assert detail["payments"] == [] and detail["total_usd"] == "115.00"
    assert staff_api.get(f"{URL}999999/").status_code == 404


def test_company_users_reach_no_invoices(invoice, company_a, root_host):
    host = company_a.primary_domain
    admin = bearer(host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert admin.get(URL).status_code == 404  # not served on a company's site
    assert admin.get(f"{URL}{invoice.pk}/").status_code == 404
    assert (
        admin.post(f"{URL}{invoice.pk}/payments/", {"amount_usd": "115", "reference": "X"}).status_code == 404
    )
    outsider = bearer(root_host, login_tokens(host, COMPANY_A.admin_email)["access"])
    assert outsider.get(URL).status_code in (401, 403)
    assert outsider.post(f"{URL}{invoice.pk}/void/").status_code in (401, 403)
    anonymous = Client(HTTP_HOST=root_host)
    assert anonymous.get(URL).status_code in (401, 403)
    invoice.refresh_from_db()
    assert invoice.status == "issued" and not Payment.objects.exists()


def test_revenue_by_month_and_status_is_one_query(invoice, company_b):
    other = invoice_issue(
        license=_terms(
            company_b.licenses.get(), expires_on=TODAY + timedelta(days=3), auto_renew=True, price_usd=10
        )
    )
    payment_record(invoice=other, provider="bank_transfer", amount_usd=Decimal("11.50"), reference="M-1")
    with CaptureQueriesContext(connection) as queries:
        rows = revenue_by_month(since=TODAY.replace(day=1), until=TODAY)
    assert len(queries) == 1
    month = TODAY.replace(day=1)
    assert [(r["month"], r["status"], r["total_usd"]) for r in rows] == [
        (month, "issued", Decimal("115.00")),
        (month, "paid", Decimal("11.50")),
    ]


# --- the master panel -----------------------------------------------------------------


@pytest.fixture
def master(db, root_host):
    client = Client(HTTP_HOST=root_host, HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(email=STAFF_EMAIL, password=PASSWORD)
    return client


def test_admin_lists_and_shows_invoices_with_their_payments(master, invoice):
    payment_record(invoice=invoice, provider="bank_transfer", amount_usd=Decimal("15.00"), reference="ADM-1")
    listing = master.get("/admin/billing/invoice/", {"q": "ADM-1"})
    assert listing.status_code == 200 and invoice.number in listing.content.decode()
    page = master.get(f"/admin/billing/invoice/{invoice.pk}/change/").content.decode()
    assert "ADM-1" in page and f"/admin/billing/invoice/{invoice.pk}/payment/" in page
    assert 'name="amount_usd"' not in page  # money fields are read-only
    assert master.get("/admin/billing/payment/").status_code == 200
    assert master.get("/admin/billing/reminder/").status_code == 200


def test_admin_records_a_payment_with_the_form(master, invoice):
    url = f"/admin/billing/invoice/{invoice.pk}/payment/"
    chosen = master.post(
        "/admin/billing/invoice/", {"action": "record_payment", "_selected_action": [invoice.pk]}
    )
    assert chosen.status_code == 302 and chosen["Location"] == url
    form = master.get(url)
    assert form.status_code == 200 and "115.00" in form.content.decode()
    too_much = master.post(
        url, {"amount_usd": "200", "reference": "F-1", "received_on": TODAY, "provider": "bank_transfer"}
    )
    assert too_much.status_code == 200 and too_much.context["form"].errors["amount_usd"]
    done = master.post(
        url, {"amount_usd": "115.00", "reference": "F-1", "received_on": TODAY, "provider": "bank_transfer"}
    )
    assert done.status_code == 302
    invoice.refresh_from_db()
    invoice.license.refresh_from_db()
    assert invoice.status == "paid" and invoice.license.expires_on == invoice.period_end
    assert Payment.objects.get().recorded_by == STAFF_EMAIL


def test_admin_voids_with_the_action_and_reports_refusals(master, invoice, company_b):
    paid = invoice_issue(
        license=_terms(
            company_b.licenses.get(), expires_on=TODAY + timedelta(days=3), auto_renew=True, price_usd=10
        )
    )
    payment_record(invoice=paid, provider="bank_transfer", amount_usd=Decimal("11.50"), reference="VA-1")
    page = master.post(
        "/admin/billing/invoice/",
        {"action": "void_selected", "_selected_action": [invoice.pk, paid.pk]},
        follow=True,
    ).content.decode()
    assert f"La factura {paid.number} está pagada" in page and "1 factura anulada." in page
    invoice.refresh_from_db()
    paid.refresh_from_db()
    assert (invoice.status, paid.status) == ("void", "paid")


# --- on a real worker -----------------------------------------------------------------


@pytest.fixture
def sending():
    from triboka.celery import app

    app.conf.task_always_eager = False  # to the broker, for the worker process
    yield
    app.conf.task_always_eager = True


def test_the_daily_job_runs_on_a_real_worker(committed_company, django_db_blocker, sending):
    from master.billing.tasks import billing_daily

    with django_db_blocker.unblock():
        license = _terms(
            committed_company.licenses.get(),
            expires_on=TODAY + timedelta(days=30),
            auto_renew=True,
            price_usd=Decimal("80.00"),
        )
    worker = celery_worker(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    try:
        with django_db_blocker.unblock():
            billing_daily.delay()
            wait_for(lambda: Reminder.objects.filter(license=license).exists(), 90, "the worker's daily job")
            invoice = Invoice.objects.get(license=license)
            assert invoice.total_usd == Decimal("92.00") and invoice.sent_to == ["e@epsilon.test"]
            billing_daily.delay()  # a second run the same day: nothing new
            # The worker takes one task at a time, in order: once the probe ran, so had the job.
            key = f"test-billing:{uuid.uuid4()}"
            slow_effect.delay(key, 0)
            wait_for(lambda: redis_client().get(f"{key}:effects") is not None, 90, "the second run")
            assert Invoice.objects.filter(license=license).count() == 1
            assert Reminder.objects.filter(license=license).count() == 1
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        with django_db_blocker.unblock():
            Reminder.objects.filter(license=license).delete()
            Invoice.objects.filter(license=license).delete()
            connection.set_schema_to_public()
