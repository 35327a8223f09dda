"""The EUDR due diligence pack of a shipment: the plots behind its lots found through the
genealogy, exactly those; what is missing named; the statement recorded unchanged and its
plots kept five years."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from erp.eudr.models import Plot
from erp.export import services
from erp.export.dds import shipment_due_diligence
from erp.export.models import DueDiligenceStatement
from erp.inventory.blending import lot_merge
from erp.inventory.services import warehouse_default_for
from tests.erp.eudr.helpers import plot, reception_from

from .helpers import pdf_text, shipment

D = Decimal


def fed_by_three_receptions_from_five_plots(world):
    """R1 (plots 1, 2) and R2 (second supplier: plots 3, 4) blended, and R3 (plot 5); a sixth
    verified plot feeds a reception whose lot is not shipped. Returns (shipment, five plots,
    the sixth)."""
    admin = world.users["admin"]
    plots = [plot(world, name=f"Finca {n}", verified=True) for n in (1, 2)]
    plots += [plot(world, supplier="supplier2", name=f"Finca {n}", verified=True) for n in (3, 4)]
    plots.append(plot(world, name="Finca 5", verified=True))
    sixth = plot(world, name="Finca 6", verified=True)
    first = reception_from(world, plots[:2])
    second = reception_from(world, plots[2:4], supplier="supplier2")
    third = reception_from(world, plots[4:])
    reception_from(world, [sixth])
    blend = lot_merge(lots=[first.lot, second.lot], user=admin)
    sent = shipment(world)
    container = services.container_add(shipment=sent, number="CSQU3054383", seal_number="EC-0001", user=admin)
    warehouse = warehouse_default_for(world.partners["center"])
    for lot, kg in ((blend, "1500.00"), (third.lot, "700.00")):
        services.container_load(
            container=container, lot=lot, kg=D(kg), sacks=10, warehouse=warehouse, user=admin
        )
    return sent, plots, sixth


def test_the_pack_holds_exactly_the_five_plots_behind_the_shipment(erp_a):
    client = erp_a.client("admin")
    with tenant_context(erp_a.company):
        sent, plots, sixth = fed_by_three_receptions_from_five_plots(erp_a)
    url = f"/api/v1/export/shipments/{sent.pk}/due-diligence/"
    pack = client.get(url).json()
    assert pack["ready"] is True, pack["problems"]
    assert sorted(p["code"] for p in pack["plots"]) == sorted(p.code for p in plots)
    assert len(pack["receptions"]) == 3 and pack["net_mass_kg"] == "2200.00" and pack["hs_code"] == "1801"
    geojson = client.get(f"{url}plots.geojson").json()
    assert sorted(f["properties"]["PlotReference"] for f in geojson["features"]) == sorted(
        p.code for p in plots
    )
    statement = client.get(f"{url}statement.json").json()
    commodity = statement["commodities"][0]
    assert (
        commodity["hsHeading"] == "1801"
        and commodity["descriptors"]["goodsMeasure"]["netWeight"] == "2200.00"
    )
    assert {producer["country"] for producer in commodity["producers"]} == {"EC"}
    assert len(commodity["producers"]) == 2  # two suppliers
    assert "2200" in pdf_text(client.get(f"{url}summary.pdf").content).replace(".", "").replace(",", "")

    recorded = client.post(url)
    assert recorded.status_code == 201, recorded.content
    assert sorted(recorded.json()["plots"]) == sorted(p.code for p in plots)
    with tenant_context(erp_a.company):
        kept = Plot.objects.filter(retain_until__year=timezone.localdate().year + 5)
        assert set(kept.values_list("pk", flat=True)) == {p.pk for p in plots}
        assert Plot.objects.get(pk=sixth.pk).retain_until is None
        record = DueDiligenceStatement.objects.get()
        with pytest.raises(DatabaseError, match="kept unchanged"), transaction.atomic():
            DueDiligenceStatement.objects.filter(pk=record.pk).update(geojson="{}")
    listed = client.get("/api/v1/export/due-diligence-statements/").json()["results"]
    assert [s["reference"] for s in listed] == [record.reference]


def test_what_is_missing_is_named_and_no_statement_is_recorded(erp_a, erp_b):
    client = erp_a.client("admin")
    admin = erp_a.users["admin"]
    with tenant_context(erp_a.company):
        nameless = reception_from(erp_a, [])
        pending = reception_from(erp_a, [plot(erp_a, name="Finca Pendiente")])
        lot = lot_merge(lots=[nameless.lot, pending.lot], user=admin)
        sent = shipment(erp_a)
        container = services.container_add(shipment=sent, number="CSQU3054383", user=admin)
        warehouse = warehouse_default_for(erp_a.partners["center"])
        services.container_load(
            container=container, lot=lot, kg=D("100"), sacks=2, warehouse=warehouse, user=admin
        )
        problems = shipment_due_diligence(shipment=sent).problems
    assert any(nameless.number in problem for problem in problems)
    assert any("Finca Pendiente" in problem for problem in problems)
    url = f"/api/v1/export/shipments/{sent.pk}/due-diligence/"
    assert client.post(url).status_code == 400
    assert client.get(f"{url}statement.json").status_code == 400
    with tenant_context(erp_a.company):
        assert not DueDiligenceStatement.objects.exists()
    assert erp_a.client("center").get(url).status_code == 403
    assert erp_b.client("admin").get(url).status_code == 404
