"""Demo finance for `bootstrap_demo`: the demo shipment's freight and export costs, a
transport cost on a lot, one reception paid in full and one in part (so the payables show
every status), and an advance from the buyer."""

from decimal import Decimal

from django.utils import timezone

from .services import buyer_payment_record, cost_create, supplier_payment_record


def demo_finance_populate(*, admin, receptions: list, shipment) -> None:
    today = timezone.localdate()
    if shipment is not None:
        for kind, amount, text in (
            ("export", "420.00", "Agente de aduana, fumigación y certificado fitosanitario"),
            ("transport", "350.00", "Camión Vinces – Puerto de Guayaquil"),
        ):
            cost_create(
                user=admin, kind=kind, amount_usd=Decimal(amount), incurred_on=today, shipment=shipment,
                description=text,
            )  # fmt: skip
        buyer_payment_record(
            user=admin,
            shipment=shipment,
            amount_usd=Decimal("3000.00"),
            received_on=today,
            reference="Anticipo 30 %",
        )
    dry = [r for r in receptions if r.form == "seco"]
    if dry:
        cost_create(
            user=admin, kind="transport", amount_usd=Decimal("45.00"), incurred_on=today, lot=dry[0].lot,
            description="Flete finca – centro de acopio",
        )  # fmt: skip
    for reception, share in zip(dry, (Decimal("1"), Decimal("0.5")), strict=False):
        amount = (reception.amount_usd * share).quantize(Decimal("0.01"))
        supplier_payment_record(
            user=admin, reception=reception, amount_usd=amount,
            paid_on=today, method="transfer", reference=f"Transferencia {reception.number}",
        )  # fmt: skip
