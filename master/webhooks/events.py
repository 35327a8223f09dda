"""The events as their receivers read them: one function per event, called where the
thing happens, so the payloads' shape is decided here and the call sites stay one line.

Each runs inside the caller's transaction: if it rolls back, nothing is sent.
"""

from .models import Event
from .services import event_publish, tenant_event_publish


def _email(user) -> str | None:
    return getattr(user, "email", None)


def company_created(company) -> None:
    event_publish(
        Event.COMPANY_CREATED,
        company=company,
        data={"ruc": company.ruc, "kind": company.kind, "url": company.url, "status": company.status},
    )


def company_suspended(company) -> None:
    event_publish(
        Event.COMPANY_SUSPENDED,
        company=company,
        data={"suspended_at": company.suspended_at, "reason": company.suspension_reason},
    )


def company_reactivated(company) -> None:
    event_publish(Event.COMPANY_REACTIVATED, company=company, data={"status": company.status})


def _license(license) -> dict:
    return {"code": license.code, "type": license.type, "expires_on": license.expires_on}


def license_expiring(license, *, days_left: int) -> None:
    """For the billing reminders: ``days_left`` until ``license.expires_on``."""
    event_publish(
        Event.LICENSE_EXPIRING,
        company=license.company,
        data={"license": _license(license), "days_left": days_left},
    )


def license_expired(license) -> None:
    event_publish(Event.LICENSE_EXPIRED, company=license.company, data={"license": _license(license)})


def contract_status_changed(contract, *, previous_status: str, user=None) -> None:
    """From the company's schema (erp.contracts.services.contract_transition)."""
    tenant_event_publish(
        Event.CONTRACT_STATUS_CHANGED,
        data={
            "contract": {
                "id": contract.pk,
                "code": contract.code,
                "status": contract.status,
                "previous_status": str(previous_status),
                "volume_tm": contract.volume_tm,
                "status_changed_at": contract.status_changed_at,
            },
            "changed_by": _email(user),
        },
    )


def document_uploaded(document, *, user=None) -> None:
    """From the company's schema (erp.documents.services.document_upload). The file is
    not in the payload: it is downloaded through the API with the company's rights."""
    contract = document.contract
    tenant_event_publish(
        Event.DOCUMENT_UPLOADED,
        data={
            "document": {
                "id": document.pk,
                "kind": document.kind,
                "name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
                "sha256": document.sha256,
                "uploaded_at": document.uploaded_at,
            },
            "contract": {"id": contract.pk, "code": contract.code},
            "uploaded_by": _email(user),
        },
    )
