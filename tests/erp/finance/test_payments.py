"""Payables to suppliers and receivables from buyers: partial payments, what is refused,
and the ageing of what is pending at the edges of its buckets."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.finance.selectors import payable_list, payables_ageing, receivable_list
from erp.finance.services import buyer_payment_record, supplier_payment_record
from erp.reception.services import reception_void

from .helpers import BASE, D, receive, shipment_with, unpriced_sale


def pay(world, reception, amount):
    return supplier_payment_record(
        user=world.users["admin"],
        reception=reception,
        amount_usd=D(amount),
        paid_on=timezone.localdate(),
        method="transfer",
    )


def test_partial_payments_leave_a_reception_partly_paid_until_it_is_paid(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        admin = erp_a.users["admin"]
        pay(erp_a, reception, "1000")
        partial = payable_list(user=admin).get(pk=reception.pk)
        pay(erp_a, reception, "1600")
        paid = payable_list(user=admin).get(pk=reception.pk)
    assert (partial.paid_usd, partial.pending_usd, partial.payment_status) == (
        D("1000"),
        D("1600"),
        "partial",
    )
    assert (paid.pending_usd, paid.payment_status) == (D("0"), "paid")


def test_paying_more_than_is_pending_is_refused_saying_what_is_pending(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        pay(erp_a, reception, "1000")
        with pytest.raises(ValidationError) as refused:
            pay(erp_a, reception, "1600.01")
    assert refused.value.message_dict["amount_usd"] == [
        f"Solo quedan pendientes 1600.00 USD de la recepción {reception.number}."
    ]


def test_the_api_answers_400_on_amount_for_an_over_payment(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
    body = {"reception": reception.pk, "paid_on": str(timezone.localdate()), "method": "cash"}
    client = erp_a.client("admin")
    too_much = client.post(f"{BASE}/supplier-payments/", {**body, "amount_usd": "2600.01"}, format="json")
    assert too_much.status_code == 400 and "2600.00" in too_much.json()["amount_usd"][0]
    bad = client.post(
        f"{BASE}/supplier-payments/", {**body, "amount_usd": "abc", "method": "gold"}, format="json"
    )
    assert bad.status_code == 400 and {"amount_usd", "method"} <= bad.json().keys()
    ok = client.post(f"{BASE}/supplier-payments/", {**body, "amount_usd": "600.00"}, format="json")
    assert ok.status_code == 201 and ok.json()["supplier_name"] == "A Finca Uno"


def test_a_voided_reception_is_not_paid(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        reception_void(reception=reception, user=erp_a.users["admin"], reason="Pesada repetida")
        with pytest.raises(ValidationError) as refused:
            pay(erp_a, reception, "10")
        listed = payable_list(user=erp_a.users["admin"]).filter(pk=reception.pk).exists()
    assert "reception" in refused.value.message_dict and not listed


def test_ageing_puts_30_days_in_the_first_bucket_and_31_in_the_second(erp_a):
    with tenant_context(erp_a.company):
        receive(erp_a, kg="100", amount="300", days_ago=30)
        receive(erp_a, kg="100", amount="310", days_ago=31)
        receive(erp_a, kg="100", amount="900", days_ago=90)
        late = receive(erp_a, kg="100", amount="910", days_ago=91)
        receive(erp_a, kg="100", amount="50", supplier="supplier2")
        pay(erp_a, late, "10")
        rows = {row["supplier_name"]: row for row in payables_ageing(user=erp_a.users["admin"])}
    first = rows["A Finca Uno"]
    assert (first["days_0_30"], first["days_31_60"], first["days_61_90"], first["days_over_90"]) == (
        D("300"),
        D("310"),
        D("900"),
        D("900"),  # 910 less the 10 paid
    )
    assert first["total"] == D("2410")
    assert rows["A Finca Dos"]["days_0_30"] == D("50")


def test_a_shipment_is_owed_its_invoice_less_what_the_buyer_paid(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        sent = shipment_with(erp_a, [(reception.lot, "800")])
        admin = erp_a.users["admin"]
        buyer_payment_record(
            user=admin, shipment=sent, amount_usd=D("3000"), received_on=timezone.localdate()
        )
        with pytest.raises(ValidationError) as refused:
            buyer_payment_record(
                user=admin, shipment=sent, amount_usd=D("2000.01"), received_on=timezone.localdate()
            )
        (owed,) = receivable_list(user=admin)
    assert "pendientes 2000.00 USD" in refused.value.message_dict["amount_usd"][0]
    assert (owed.revenue_usd, owed.received_usd, owed.pending_usd, owed.status) == (
        D("5000.00"),
        D("3000"),
        D("2000.00"),
        "partial",
    )


def test_an_unpriced_shipment_is_owed_nothing_yet_and_takes_no_payment(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        sent = shipment_with(erp_a, [(reception.lot, "800")], sales_contract=unpriced_sale(erp_a))
        with pytest.raises(ValidationError) as refused:
            buyer_payment_record(
                user=erp_a.users["admin"], shipment=sent, amount_usd=D("1"), received_on=timezone.localdate()
            )
        (owed,) = receivable_list(user=erp_a.users["admin"])
    assert "shipment" in refused.value.message_dict
    assert (owed.revenue_usd, owed.pending_usd, owed.status) == (None, None, "not_priced")


def test_a_payment_dated_tomorrow_is_refused(erp_a):
    with tenant_context(erp_a.company):
        reception = receive(erp_a, kg="1000", amount="2600")
        with pytest.raises(ValidationError) as refused:
            supplier_payment_record(
                user=erp_a.users["admin"],
                reception=reception,
                amount_usd=D("1"),
                paid_on=timezone.localdate() + timedelta(days=1),
                method="cash",
            )
    assert "paid_on" in refused.value.message_dict
