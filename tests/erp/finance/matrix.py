"""The finance rows of the permission matrix (docs/permissions/finance.md): the fixture
objects their paths name and the bodies of the rows that write."""

from django.utils import timezone

from .helpers import D, cost, receive, shipment_with


def _priced_shipment(world):
    """A shipment at 6,250 USD/TM holding 500 kg of a reception's lot (3,125.00 USD)."""
    return shipment_with(world, [(receive(world, kg="1000", amount="2600").lot, "500")])


def _supplier_payment(world):
    from erp.finance.services import supplier_payment_record

    return supplier_payment_record(
        user=world.users["admin"],
        reception=receive(world, kg="1000", amount="2600"),
        amount_usd=D("100"),
        paid_on=timezone.localdate(),
        method="cash",
    )


def _buyer_payment(world):
    from erp.finance.services import buyer_payment_record

    return buyer_payment_record(
        user=world.users["admin"],
        shipment=_priced_shipment(world),
        amount_usd=D("1000"),
        received_on=timezone.localdate(),
    )


PREPARE = {
    "cost:lot": lambda world: cost(world, amount="80", lot=world.lots["center"]),
    "cost:shipment": lambda world: cost(world, amount="420", kind="export", shipment=_priced_shipment(world)),
    "finance_reception:supplier": lambda world: receive(world, kg="1000", amount="2600"),
    "finance_shipment:priced": _priced_shipment,
    "supplier_payment:supplier": _supplier_payment,
    "buyer_payment:priced": _buyer_payment,
}


def bodies(world) -> dict:
    today = str(timezone.localdate())
    return {
        ("POST", "/api/v1/finance/costs/"): {
            "kind": "transport",
            "lot": world.lots["center"].pk,
            "amount_usd": "80.00",
            "incurred_on": today,
            "description": "Flete Milagro–Guayaquil",
        },
        ("PATCH", "/api/v1/finance/costs/{cost:lot}/"): {"amount_usd": "95.50"},
        ("POST", "/api/v1/finance/supplier-payments/"): {
            "reception": "{finance_reception:supplier}",
            "amount_usd": "1000.00",
            "paid_on": today,
            "method": "transfer",
            "reference": "TRF-0042",
        },
        ("POST", "/api/v1/finance/buyer-payments/"): {
            "shipment": "{finance_shipment:priced}",
            "amount_usd": "3125.00",
            "received_on": today,
            "reference": "SWIFT-77",
        },
    }
