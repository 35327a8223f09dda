"""Webhooks against a real HTTP server on 127.0.0.1: signatures, retries, exhaustion,
auto-disable with its e-mail, company scoping, URL refusals, the master and company APIs,
the admin, the housekeeping, and one run through a real Celery worker."""

import hashlib
import hmac
import json
import threading
import time
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from master.companies.models import Company
from master.companies.services import company_provision, company_reactivate, company_suspend
from master.webhooks import events, sending, services
from master.webhooks.models import Delivery, DeliveryStatus, Event, Subscription
from tests.support.workers import celery_worker, wait_for
from triboka.celery import app as celery_app

from ..conftest import COMPANY_A, COMPANY_B, PASSWORD, STAFF_EMAIL, bearer, login_tokens, web_client

# --- a receiving server ---------------------------------------------------------------


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers with the planned
    statuses in turn (200 once the plan runs out)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.plan: list[tuple[int, dict]] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "body": body, "at": time.time()}
                    )
                    status, headers = receiver.plan.pop(0) if receiver.plan else (200, {})
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                answer = f"answer {status}".encode()
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def answer(self, *statuses: int, headers: dict | None = None) -> None:
        self.plan.extend((status, headers or {}) for status in statuses)

    def bodies(self) -> list[dict]:
        return [json.loads(request["body"]) for request in self.requests]


@contextmanager
def receiving():
    receiver = Receiver()
    receiver.thread.start()
    try:
        yield receiver
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()


@pytest.fixture
def webhook_settings(settings):
    settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0  # tasks run inline in the tests: no waiting
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    settings.WEBHOOK_DISABLE_AFTER = 3
    settings.WEBHOOK_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def receiver(webhook_settings):
    with receiving() as receiver:
        yield receiver


def subscribe(receiver, company=None, events_=(Event.COMPANY_SUSPENDED,), **extra) -> Subscription:
    return services.subscription_create(
        company=company, url=receiver.url, events=list(events_), owner_email="owner@hooks.test", **extra
    )


def verify(secret: str, request: dict, tolerance: int = 300) -> bool:
    """What a receiver does (docs/operations.md): recompute the HMAC over "<t>.<raw body>"."""
    fields = dict(part.split("=", 1) for part in request["headers"]["Triboka-Signature"].split(","))
    timestamp = int(fields["t"])
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256
    ).hexdigest()
    return abs(time.time() - timestamp) <= tolerance and hmac.compare_digest(expected, fields["v1"])


# --- signing and delivering -----------------------------------------------------------


def test_a_delivery_is_signed_with_the_secret_and_a_timestamp(
    receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a, reason="unpaid")

    (request,) = receiver.requests
    assert request["path"] == "/hook" and request["headers"]["Content-Type"] == "application/json"
    assert verify(subscription.secret, request)
    assert not verify("whsec_another", request)
    assert not verify(subscription.secret, {**request, "body": request["body"].replace(b"unpaid", b"paid!!")})
    timestamp = int(request["headers"]["Triboka-Signature"].split(",")[0].removeprefix("t="))
    assert abs(time.time() - timestamp) < 60
    body = json.loads(request["body"])
    delivery = Delivery.objects.get(subscription=subscription)
    assert request["headers"]["Triboka-Event"] == "company.suspended"
    assert request["headers"]["Triboka-Delivery"] == str(delivery.pk)
    assert body["id"] == str(delivery.event_id) and body["event"] == "company.suspended"
    assert body["company"] == {"id": company_a.pk, "slug": "alpha", "name": COMPANY_A.name}
    assert body["data"]["reason"] == "unpaid" and body["created_at"]
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert delivery.last_status_code == 200 and delivery.response_excerpt == "answer 200"


def test_a_receiver_answering_500_is_tried_again_until_it_succeeds(
    receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    receiver.answer(500, 503)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)

    assert len(receiver.requests) == 3
    assert len({body["id"] for body in receiver.bodies()}) == 1  # the same event each time
    assert all(verify(subscription.secret, request) for request in receiver.requests)
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert Subscription.objects.get(pk=subscription.pk).consecutive_failures == 0


def test_the_wait_between_attempts_doubles(receiver, company_a, webhook_settings):
    webhook_settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    subscription = subscribe(receiver, company_a)
    receiver.answer(500, 500, 500)
    (delivery,) = services.event_publish(Event.COMPANY_SUSPENDED, company=company_a, data={})  # not queued
    assert delivery.subscription_id == subscription.pk

    delays = [services.delivery_attempt(delivery_id=delivery.pk, attempt=n) for n in (1, 2)]
    delivery.refresh_from_db()
    assert delays == [30, 60]
    assert timedelta(seconds=55) < delivery.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    # a duplicate of an attempt already made does nothing
    assert (
        services.delivery_attempt(delivery_id=delivery.pk, attempt=2) is None and len(receiver.requests) == 2
    )
    assert services.delivery_attempt(delivery_id=delivery.pk, attempt=3) is None  # the last one
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.next_attempt_at is None


def test_a_delivery_that_uses_up_its_attempts_is_failed(
    receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    receiver.answer(500, 500, 502)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)

    assert len(receiver.requests) == 3
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 3
    assert delivery.last_status_code == 502 and "502" in delivery.last_error
    assert delivery.response_excerpt == "answer 502" and delivery.finished_at is not None
    subscription.refresh_from_db()
    assert subscription.is_active and subscription.consecutive_failures == 1
    assert mail.outbox == []


def test_a_redirect_is_not_followed(
    receiver, company_a, django_capture_on_commit_callbacks, webhook_settings
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe(receiver, company_a)
    receiver.answer(302, headers={"Location": receiver.url.replace("/hook", "/elsewhere")})
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    assert [request["path"] for request in receiver.requests] == ["/hook"]
    assert Delivery.objects.get(subscription=subscription).status == DeliveryStatus.FAILED


def test_a_subscription_that_keeps_failing_is_disabled_and_its_owner_told(
    receiver, company_a, django_capture_on_commit_callbacks, webhook_settings
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    webhook_settings.WEBHOOK_DISABLE_AFTER = 2
    subscription = subscribe(receiver, company_a)
    receiver.answer(500, 500)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            company_suspend(company=company_a)

    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.consecutive_failures == 2
    assert "2 entregas fallidas" in subscription.disabled_reason
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [COMPANY_A.admin_email, "owner@hooks.test"]  # the owner and the company's admin
    assert subscription.url in mail.outbox[0].subject and subscription.url in mail.outbox[0].body
    # no more deliveries while disabled
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    assert len(receiver.requests) == 2 and subscription.deliveries.count() == 2


def test_a_success_resets_the_count_of_failures(
    receiver, company_a, django_capture_on_commit_callbacks, webhook_settings
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe(receiver, company_a)
    receiver.answer(500, 500, 200)
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            company_suspend(company=company_a)
        subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0 and subscription.is_active


def test_a_company_subscription_never_gets_another_company_s_events_and_a_platform_wide_one_gets_both(
    webhook_settings, company_a, company_b, django_capture_on_commit_callbacks
):
    with receiving() as alpha, receiving() as beta, receiving() as platform:
        subscribe(alpha, company_a, [Event.COMPANY_SUSPENDED, Event.COMPANY_REACTIVATED])
        subscribe(beta, company_b, [Event.COMPANY_SUSPENDED])
        subscribe(platform, None, [Event.COMPANY_SUSPENDED])
        with django_capture_on_commit_callbacks(execute=True):
            company_suspend(company=company_b)
            company_reactivate(company=company_b)
            company_suspend(company=company_a)
            company_reactivate(company=company_a)

    assert [(b["event"], b["company"]["slug"]) for b in alpha.bodies()] == [
        ("company.suspended", "alpha"),
        ("company.reactivated", "alpha"),
    ]
    assert [(b["event"], b["company"]["slug"]) for b in beta.bodies()] == [("company.suspended", "beta")]
    assert sorted(b["company"]["slug"] for b in platform.bodies()) == ["alpha", "beta"]


def test_publishing_an_event_nobody_listens_to_costs_one_query(company_a, receiver):
    subscribe(receiver, company_a, [Event.INVOICE_PAID])  # another event
    with CaptureQueriesContext(connection) as queries:
        assert services.event_publish(Event.LICENSE_EXPIRED, company=company_a, data={}) == []
    assert len(queries) == 1


def test_an_event_of_a_rolled_back_change_is_never_sent(
    receiver, company_a, django_capture_on_commit_callbacks
):
    from django.db import transaction

    subscribe(receiver, company_a)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            company_suspend(company=company_a)
            raise RuntimeError("changed my mind")
    assert receiver.requests == [] and not Delivery.objects.exists()


def test_a_company_created_event_goes_to_platform_wide_subscriptions(
    receiver, db, django_capture_on_commit_callbacks
):
    subscribe(receiver, None, [Event.COMPANY_CREATED])
    with django_capture_on_commit_callbacks(execute=True):
        company_provision(
            name="Gamma Cacao",
            slug="gamma",
            ruc="1700000001001",
            kind="exporter",
            license_type="saas",
            admin_email="admin@gamma.test",
            admin_password=PASSWORD,
        )
    connection.set_schema_to_public()
    (body,) = receiver.bodies()
    assert body["event"] == "company.created" and body["company"]["slug"] == "gamma"
    assert body["data"]["ruc"] == "1700000001001" and body["data"]["url"] == "http://gamma.localhost:8000/"


def test_a_deleted_company_takes_its_subscriptions_and_platform_logs_keep_its_name(receiver, db):
    gamma = company_provision(
        name="Gamma Cacao",
        slug="gamma",
        ruc="1700000001001",
        kind="exporter",
        license_type="saas",
        admin_email="admin@gamma.test",
        admin_password=PASSWORD,
    ).company
    connection.set_schema_to_public()
    own = subscribe(receiver, gamma)
    platform = subscribe(receiver, None)
    services.event_publish(Event.COMPANY_SUSPENDED, company=gamma, data={})
    Company.objects.get(pk=gamma.pk).delete()
    assert not Subscription.objects.filter(pk=own.pk).exists()
    (kept,) = platform.deliveries.all()
    assert kept.company is None and kept.company_slug == "gamma"


def test_a_new_secret_signs_the_next_deliveries(receiver, company_a, django_capture_on_commit_callbacks):
    subscription = subscribe(receiver, company_a)
    old_secret = subscription.secret
    services.subscription_secret_rotate(subscription=subscription)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    (request,) = receiver.requests
    assert verify(subscription.secret, request) and not verify(old_secret, request)


def test_license_events_carry_the_license(receiver, company_a, django_capture_on_commit_callbacks):
    subscribe(receiver, company_a, [Event.LICENSE_EXPIRING, Event.LICENSE_EXPIRED])
    license = company_a.licenses.get()
    with django_capture_on_commit_callbacks(execute=True):
        events.license_expiring(license, days_left=7)
        events.license_expired(license)
    assert [(b["event"], b["data"]["license"]["code"]) for b in receiver.bodies()] == [
        ("license.expiring", license.code),
        ("license.expired", license.code),
    ]
    assert receiver.bodies()[0]["data"]["days_left"] == 7


# --- which URLs may receive -----------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",  # loopback and plain http: off unless allowed
        "https://localhost/hook",
        "https://10.1.2.3/hook",  # private networks
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "http://93.184.215.14/hook",  # public, but not https
        "https://user:pass@93.184.215.14/hook",
        "ftp://93.184.215.14/hook",
        "https://no-such-host.invalid/hook",
        "not a url",
    ],
)
def test_it_refuses_urls_that_are_not_public_https(url, company_a, settings):
    settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = False
    with pytest.raises(ValidationError) as refused:
        services.subscription_create(
            company=company_a, url=url, events=["invoice.paid"], owner_email="o@x.test"
        )
    assert "url" in refused.value.message_dict


def test_a_public_https_url_is_accepted(company_a, settings):
    settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = False
    subscription = services.subscription_create(
        company=company_a, url="https://93.184.215.14/hook", events=["invoice.paid"], owner_email="o@x.test"
    )
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 40


def test_allowing_localhost_still_refuses_private_networks(company_a, webhook_settings):
    services.subscription_create(
        company=company_a, url="http://localhost:9/h", events=["invoice.paid"], owner_email="o@x.test"
    )
    with pytest.raises(ValidationError):
        services.subscription_create(
            company=company_a, url="http://10.0.0.1/h", events=["invoice.paid"], owner_email="o@x.test"
        )
    with pytest.raises(ValidationError):
        services.subscription_create(
            company=company_a, url="https://10.0.0.1/h", events=["invoice.paid"], owner_email="o@x.test"
        )


def test_a_delivery_to_an_address_no_longer_allowed_is_refused_without_a_request(
    receiver, company_a, webhook_settings, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    webhook_settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = False  # as in production
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    assert receiver.requests == []
    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == DeliveryStatus.FAILED and "https" in delivery.last_error


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(company_a, webhook_settings):
    import socket

    webhook_settings.WEBHOOK_TIMEOUT_SECONDS = 1
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        outcome = sending.post(f"http://127.0.0.1:{silent.getsockname()[1]}/", b"{}", {}, timeout=1)
    assert not outcome.ok and outcome.status_code is None and "Sin respuesta en 1 segundo" in outcome.error


@pytest.mark.parametrize(
    ("events_", "message"),
    [
        ([], "Elija"),
        (["ping"], "Elija"),
        (["teleport"], "Elija"),
        (["invoice.paid", "invoice.paid"], "una sola vez"),
    ],
)
def test_it_refuses_bad_event_lists(receiver, company_a, events_, message):
    with pytest.raises(ValidationError) as refused:
        subscribe(receiver, company_a, events_)
    assert message in refused.value.message_dict["events"][0]


# --- the master API -------------------------------------------------------------------

URL = "/api/master/webhooks/"


def test_staff_create_a_subscription_and_see_its_secret_only_once(staff_api, receiver, company_a):
    response = staff_api.post(
        URL, {"company": "alpha", "url": receiver.url, "events": ["contract.status_changed"]}, format="json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["company"] == "alpha" and created["secret"].startswith("whsec_")
    assert created["owner_email"] == STAFF_EMAIL and created["is_active"]
    assert Subscription.objects.get(pk=created["id"]).secret == created["secret"]
    listed = staff_api.get(URL, {"company": "alpha"}).json()["results"]
    assert [row["id"] for row in listed] == [created["id"]] and "secret" not in listed[0]
    assert "secret" not in staff_api.get(f"{URL}{created['id']}/").json()
    platform = staff_api.post(URL, {"url": receiver.url, "events": ["company.created"]}, format="json").json()
    assert platform["company"] is None


def test_bad_input_is_a_400_on_the_field(staff_api, receiver):
    response = staff_api.post(
        URL, {"company": "nope", "url": "https://10.0.0.1/", "events": ["teleport"]}, format="json"
    )
    assert response.status_code == 400
    assert {"company", "events"} <= set(response.json())
    response = staff_api.post(URL, {"url": "https://10.0.0.1/", "events": ["invoice.paid"]}, format="json")
    assert response.status_code == 400 and "url" in response.json()


def test_staff_edit_ping_disable_enable_rotate_and_delete(
    staff_api, receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    path = f"{URL}{subscription.pk}/"
    edited = staff_api.patch(path, {"events": ["invoice.paid"], "description": "ERP"}, format="json").json()
    assert edited["events"] == ["invoice.paid"] and edited["description"] == "ERP"
    assert staff_api.patch(path, {"company": "beta"}, format="json").status_code == 400

    assert staff_api.post(f"{path}disable/").json()["is_active"] is False
    with django_capture_on_commit_callbacks(execute=True):
        ping = staff_api.post(f"{path}test/")
    assert ping.status_code == 202 and ping.json()["event"] == "ping"
    (body,) = receiver.bodies()  # a disabled subscription can be tried
    assert body["event"] == "ping" and verify(subscription.secret, receiver.requests[0])
    assert Delivery.objects.get(pk=ping.json()["id"]).status == DeliveryStatus.SUCCEEDED

    assert staff_api.post(f"{path}enable/").json()["is_active"] is True
    rotated = staff_api.post(f"{path}rotate-secret/").json()["secret"]
    assert rotated != subscription.secret
    assert Subscription.objects.get(pk=subscription.pk).secret == rotated
    logged = staff_api.get(f"{path}deliveries/").json()["results"]
    assert [row["event"] for row in logged] == ["ping"]
    assert staff_api.delete(path).status_code == 204
    assert not Subscription.objects.filter(pk=subscription.pk).exists()


def test_staff_send_a_failed_delivery_again(
    staff_api, receiver, company_a, webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe(receiver, company_a)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    failed = Delivery.objects.get(subscription=subscription)
    listed = staff_api.get("/api/master/webhook-deliveries/", {"status": "failed", "company": "alpha"}).json()
    assert [row["id"] for row in listed["results"]] == [failed.pk]

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(f"/api/master/webhook-deliveries/{failed.pk}/redeliver/")
    assert response.status_code == 202, response.content
    again = response.json()
    assert again["id"] != failed.pk and again["event_id"] == str(failed.event_id)
    assert again["payload"] == failed.payload
    assert Delivery.objects.get(pk=again["id"]).status == DeliveryStatus.SUCCEEDED
    assert receiver.bodies()[0]["id"] == receiver.bodies()[1]["id"]
    # only a failed delivery can be sent again
    refused = staff_api.post(f"/api/master/webhook-deliveries/{again['id']}/redeliver/")
    assert refused.status_code == 400 and "status" in refused.json()


def test_only_master_staff_use_the_master_api(db, root_host, receiver, company_a):
    subscription = subscribe(receiver, company_a)
    company_admin = bearer(root_host, "not-a-token")
    assert company_admin.get(URL).status_code == 401
    tokens = login_tokens(company_a.primary_domain, COMPANY_A.admin_email)
    # a company's token is refused on the root domain
    assert bearer(root_host, tokens["access"]).get(f"{URL}{subscription.pk}/").status_code in (401, 403)


# --- a company's own API ----------------------------------------------------------------


def _company_api(company, email):
    return bearer(company.primary_domain, login_tokens(company.primary_domain, email)["access"])


def test_a_company_admin_manages_only_its_company_s_subscriptions(receiver, company_a, company_b):
    alpha, beta = (
        _company_api(company_a, COMPANY_A.admin_email),
        _company_api(company_b, COMPANY_B.admin_email),
    )
    created = alpha.post(
        "/api/v1/webhooks/",
        {"url": receiver.url, "events": ["document.uploaded"], "company": "beta"},
        format="json",
    )
    assert created.status_code == 201, created.content
    own = created.json()
    assert own["company"] == "alpha" and own["secret"] and own["owner_email"] == COMPANY_A.admin_email
    platform = subscribe(receiver, None, [Event.DOCUMENT_UPLOADED])
    other = subscribe(receiver, company_b, [Event.DOCUMENT_UPLOADED])

    assert [row["id"] for row in alpha.get("/api/v1/webhooks/").json()["results"]] == [own["id"]]
    assert [row["id"] for row in beta.get("/api/v1/webhooks/").json()["results"]] == [other.pk]
    for foreign in (other.pk, platform.pk):
        path = f"/api/v1/webhooks/{foreign}/"
        assert alpha.get(path).status_code == 404
        assert alpha.patch(path, {"url": receiver.url}, format="json").status_code == 404
        assert alpha.post(f"{path}test/").status_code == 404
        assert alpha.post(f"{path}rotate-secret/").status_code == 404
        assert alpha.get(f"{path}deliveries/").status_code == 404
        assert alpha.delete(path).status_code == 404
    assert Subscription.objects.filter(pk__in=[other.pk, platform.pk]).count() == 2
    assert beta.get(f"/api/v1/webhooks/{own['id']}/").status_code == 404


def test_a_company_sees_only_its_own_deliveries(
    receiver, company_a, company_b, webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscribe(receiver, company_a)
    theirs = subscribe(receiver, company_b)
    receiver.answer(500, 500)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
        company_suspend(company=company_b)
    company_reactivate(company=company_a)
    company_reactivate(company=company_b)  # so their sites answer
    alpha = _company_api(company_a, COMPANY_A.admin_email)
    listed = alpha.get("/api/v1/webhook-deliveries/").json()["results"]
    assert {row["company_slug"] for row in listed} == {"alpha"}
    foreign = Delivery.objects.get(subscription=theirs)
    assert alpha.get(f"/api/v1/webhook-deliveries/{foreign.pk}/").status_code == 404
    assert alpha.post(f"/api/v1/webhook-deliveries/{foreign.pk}/redeliver/").status_code == 404
    assert alpha.get("/api/v1/webhook-deliveries/", {"subscription": theirs.pk}).json()["results"] == []


def test_only_a_company_admin_manages_webhooks(receiver, company_a):
    plain = _company_api(company_a, COMPANY_A.user_email)
    assert plain.get("/api/v1/webhooks/").status_code == 403
    assert (
        plain.post(
            "/api/v1/webhooks/", {"url": receiver.url, "events": ["invoice.paid"]}, format="json"
        ).status_code
        == 403
    )
    assert plain.get("/api/v1/webhook-deliveries/").status_code == 403


def test_a_company_has_a_limited_number_of_subscriptions(receiver, company_a, monkeypatch):
    monkeypatch.setattr(services, "MAX_SUBSCRIPTIONS_PER_COMPANY", 2)
    alpha = _company_api(company_a, COMPANY_A.admin_email)
    body = {"url": receiver.url, "events": ["invoice.paid"]}
    assert [alpha.post("/api/v1/webhooks/", body, format="json").status_code for _ in range(3)] == [
        201,
        201,
        400,
    ]


# --- the admin ------------------------------------------------------------------------


@pytest.fixture
def master(db, root_host):
    client = web_client(root_host)
    response = client.post("/admin/login/?next=/admin/", {"username": STAFF_EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_the_admin_adds_a_subscription_and_shows_the_secret_once(master, receiver, company_a):
    response = master.post(
        "/admin/webhooks/subscription/add/",
        {
            "company": company_a.pk,
            "url": receiver.url,
            "events": ["invoice.paid", "document.uploaded"],
            "owner_email": "ops@triboka.test",
            "description": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    subscription = Subscription.objects.get()
    assert (
        subscription.events == ["invoice.paid", "document.uploaded"]
        and subscription.created_by == STAFF_EMAIL
    )
    assert subscription.secret in response.content.decode()
    page = master.get(f"/admin/webhooks/subscription/{subscription.pk}/change/")
    assert page.status_code == 200 and subscription.secret not in page.content.decode()


def test_the_admin_form_refuses_a_private_url_on_the_field(master, company_a):
    response = master.post(
        "/admin/webhooks/subscription/add/",
        {"url": "https://10.0.0.1/", "events": ["invoice.paid"], "owner_email": "ops@triboka.test"},
    )
    assert response.status_code == 200 and "url" in response.context["adminform"].form.errors
    assert not Subscription.objects.exists()


def test_the_admin_delivery_log_lists_without_a_query_per_row(
    master, receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    master.get("/admin/webhooks/delivery/")
    with CaptureQueriesContext(connection) as one:
        assert master.get("/admin/webhooks/delivery/", {"status__exact": "succeeded"}).status_code == 200
    for _ in range(4):
        services.event_publish(Event.COMPANY_SUSPENDED, company=company_a, data={})
    with CaptureQueriesContext(connection) as five:
        page = master.get("/admin/webhooks/delivery/")
    assert page.status_code == 200 and len(five) == len(one)
    assert (
        master.get(f"/admin/webhooks/delivery/{subscription.deliveries.first().pk}/change/").status_code
        == 200
    )
    assert master.get("/admin/webhooks/subscription/").status_code == 200


def test_the_admin_sends_failed_deliveries_again(
    master, receiver, company_a, webhook_settings, django_capture_on_commit_callbacks
):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 1
    subscription = subscribe(receiver, company_a)
    receiver.answer(500)
    with django_capture_on_commit_callbacks(execute=True):
        company_suspend(company=company_a)
    failed = subscription.deliveries.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = master.post(
            "/admin/webhooks/delivery/",
            {"action": "redeliver_selected", "_selected_action": [failed.pk]},
            follow=True,
        )
    assert response.status_code == 200
    assert subscription.deliveries.filter(status=DeliveryStatus.SUCCEEDED).count() == 1


# --- housekeeping ---------------------------------------------------------------------


def test_housekeeping_sends_deliveries_whose_task_was_lost_and_forgets_old_ones(
    receiver, company_a, django_capture_on_commit_callbacks
):
    subscription = subscribe(receiver, company_a)
    lost = services.event_publish(Event.COMPANY_SUSPENDED, company=company_a, data={})[0]  # never queued
    Delivery.objects.filter(pk=lost.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=11))
    recent = services.event_publish(Event.COMPANY_SUSPENDED, company=company_a, data={})[0]
    old = services.event_publish(Event.COMPANY_SUSPENDED, company=company_a, data={})[0]
    Delivery.objects.filter(pk=old.pk).update(
        status=DeliveryStatus.SUCCEEDED, created_at=timezone.now() - timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        from master.webhooks.tasks import webhooks_housekeeping

        result = webhooks_housekeeping.apply().get()

    assert result == {"requeued": 1, "purged": 1}
    assert Delivery.objects.get(pk=lost.pk).status == DeliveryStatus.SUCCEEDED and len(receiver.requests) == 1
    assert Delivery.objects.get(pk=recent.pk).status == DeliveryStatus.PENDING  # its task is still due
    assert not Delivery.objects.filter(pk=old.pk).exists()
    assert subscription.deliveries.count() == 2


# --- a real worker --------------------------------------------------------------------


@pytest.fixture
def sending_to_the_broker():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def test_a_real_worker_delivers_an_erp_event_in_the_public_schema_and_waits_before_retrying(
    django_db_setup, django_db_blocker, sending_to_the_broker, settings
):
    """Committed rows (the worker reads them from its own connection); the event is
    published from company A's schema, the worker's retry waits the real delay."""
    settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = True
    worker = celery_worker(WEBHOOK_ALLOW_INSECURE_LOCALHOST="1", WEBHOOK_RETRY_BASE_SECONDS="2")
    with receiving() as receiver, django_db_blocker.unblock():
        company = Company.objects.get(slug=COMPANY_A.slug)
        subscription = subscribe(receiver, company, [Event.CONTRACT_STATUS_CHANGED])
        try:
            receiver.answer(500)
            with tenant_context(company):
                services.tenant_event_publish(
                    Event.CONTRACT_STATUS_CHANGED, data={"contract": {"code": "CT-1"}}
                )
                assert connection.schema_name == company.schema_name  # the caller's schema is kept
            wait_for(
                lambda: subscription.deliveries.filter(status=DeliveryStatus.SUCCEEDED).exists(),
                90,
                "the worker to deliver",
            )
            first, second = receiver.requests
            assert second["at"] - first["at"] >= 1.9  # the countdown of the retry
            assert verify(subscription.secret, second)
            assert json.loads(second["body"])["company"]["slug"] == "alpha"
            assert subscription.deliveries.get().attempts == 2
        finally:
            worker.terminate()
            worker.wait(timeout=20)
            subscription.delete()
            connection.set_schema_to_public()
