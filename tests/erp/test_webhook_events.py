"""ERP events reach webhooks with the right company: a contract's status change and a
document upload, made through a company's API, delivered to a real local server."""

import json

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from erp.contracts.services import contract_transition
from master.companies.models import Company
from master.webhooks import services
from master.webhooks.models import Delivery, Event
from tests.erp.test_documents import PDF, upload
from tests.master.test_webhooks import receiving, verify


@pytest.fixture
def allow_local_receivers(settings):
    settings.WEBHOOK_ALLOW_INSECURE_LOCALHOST = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_MAX_ATTEMPTS = 1


@pytest.fixture
def receivers(allow_local_receivers):
    """Three servers: subscribed for company A, for company B, and platform-wide."""
    with receiving() as alpha, receiving() as beta, receiving() as platform:
        yield alpha, beta, platform


def _subscribe(receiver, company, event):
    return services.subscription_create(
        company=company, url=receiver.url, events=[event], owner_email="o@x.test"
    )


def test_a_contract_status_change_is_sent_to_its_company_s_subscriptions_only(
    erp_a, erp_b, receivers, django_capture_on_commit_callbacks
):
    alpha, beta, platform = receivers
    for receiver, company in ((alpha, erp_a.company), (beta, erp_b.company), (platform, None)):
        _subscribe(receiver, company, Event.CONTRACT_STATUS_CHANGED)
    contract = erp_a.contracts["supplier"]
    with django_capture_on_commit_callbacks(execute=True):
        response = erp_a.client("exporter").post(
            f"/api/v1/contracts/{contract.pk}/transition/", {"status": "active"}, format="json"
        )
    assert response.status_code == 200, response.content

    (body,) = alpha.bodies()
    assert body["event"] == "contract.status_changed" and body["company"]["slug"] == "alpha"
    assert body["data"]["contract"]["code"] == contract.code
    assert (
        body["data"]["contract"]["status"] == "active"
        and body["data"]["contract"]["previous_status"] == "draft"
    )
    assert body["data"]["changed_by"] == "exporter@alpha.test"
    assert beta.requests == []
    assert [b["company"]["slug"] for b in platform.bodies()] == ["alpha"]

    with django_capture_on_commit_callbacks(execute=True):
        erp_b.client("admin").post(
            f"/api/v1/contracts/{erp_b.contracts['supplier'].pk}/transition/",
            {"status": "cancelled"},
            format="json",
        )
    assert len(alpha.requests) == 1  # nothing of company B
    assert [b["company"]["slug"] for b in beta.bodies()] == ["beta"]
    assert sorted(b["company"]["slug"] for b in platform.bodies()) == ["alpha", "beta"]


def test_a_refused_transition_sends_nothing(erp_a, receivers, django_capture_on_commit_callbacks):
    alpha, _beta, _platform = receivers
    _subscribe(alpha, erp_a.company, Event.CONTRACT_STATUS_CHANGED)
    with django_capture_on_commit_callbacks(execute=True):
        response = erp_a.client("exporter").post(
            f"/api/v1/contracts/{erp_a.contracts['supplier'].pk}/transition/",
            {"status": "fulfilled"},
            format="json",
        )
    assert response.status_code == 409 and alpha.requests == [] and not Delivery.objects.exists()


def test_a_document_upload_is_sent_with_its_company_and_contract(
    erp_a, erp_b, receivers, django_capture_on_commit_callbacks
):
    alpha, beta, _platform = receivers
    subscription = _subscribe(alpha, erp_a.company, Event.DOCUMENT_UPLOADED)
    _subscribe(beta, erp_b.company, Event.DOCUMENT_UPLOADED)
    contract = erp_a.contracts["center"]
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(erp_a.client("center"), contract, PDF, filename="factura.pdf", kind="invoice")
    assert response.status_code == 201, response.content

    (request,) = alpha.requests
    assert verify(subscription.secret, request)
    body = json.loads(request["body"])
    assert body["event"] == "document.uploaded" and body["company"]["slug"] == "alpha"
    assert body["data"]["contract"] == {"id": contract.pk, "code": contract.code}
    document = body["data"]["document"]
    assert document["id"] == response.json()["id"] and document["kind"] == "invoice"
    assert document["name"] == "factura.pdf" and document["size"] == len(PDF)
    assert body["data"]["uploaded_by"] == "center@alpha.test"
    assert beta.requests == []


def test_a_refused_upload_sends_nothing(erp_a, receivers, django_capture_on_commit_callbacks):
    alpha, _beta, _platform = receivers
    _subscribe(alpha, erp_a.company, Event.DOCUMENT_UPLOADED)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(erp_a.client("center"), erp_a.contracts["center"], b"MZ not a pdf", kind="invoice")
    assert response.status_code == 400 and alpha.requests == []


def test_the_company_schema_is_kept_after_an_inline_delivery(
    erp_a, receivers, django_capture_on_commit_callbacks
):
    """Tasks run inline here (and without a broker): the delivery runs in the public
    schema and the caller is back in its company, with its company object, afterwards."""
    alpha, _beta, _platform = receivers
    _subscribe(alpha, erp_a.company, Event.CONTRACT_STATUS_CHANGED)
    with tenant_context(erp_a.company):
        with django_capture_on_commit_callbacks(execute=True):
            contract_transition(contract=erp_a.contracts["supplier"], to_status="cancelled")
        assert len(alpha.requests) == 1
        assert connection.schema_name == "alpha" and isinstance(connection.tenant, Company)
    connection.set_schema_to_public()


def test_outside_a_company_schema_an_erp_event_is_not_sent(receivers, db):
    _alpha, _beta, platform = receivers
    _subscribe(platform, None, Event.CONTRACT_STATUS_CHANGED)
    assert services.tenant_event_publish(Event.CONTRACT_STATUS_CHANGED, data={}) == []  # in public
