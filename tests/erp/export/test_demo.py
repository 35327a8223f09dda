"""The demo company (`make run`) shows the export and EUDR modules at work: a shipment from a
verified plot whose due diligence pack is ready, its revenue and costs."""

from django_tenants.utils import tenant_context

from erp.demo import demo_erp_populate
from erp.eudr.models import Plot
from erp.export.dds import shipment_due_diligence
from erp.export.models import Shipment
from erp.finance.costing import shipment_cost


def test_the_demo_shipment_is_ready_for_its_due_diligence_statement(committed_company):
    with tenant_context(committed_company):
        demo_erp_populate(company=committed_company, password="Cacao-demo-2026!", email_domain="epsilon.test")
        shipment = Shipment.objects.get()
        pack = shipment_due_diligence(shipment=shipment)
        assert pack.ready, pack.problems
        assert [plot.name for plot in pack.plots] == ["Parcela El Mate (Pedro Zambrano)"]
        assert Plot.objects.filter(status="pending").count() == 1
        margin = shipment_cost(shipment=shipment)
        assert margin.revenue_usd == 11700  # 2 TM × 5,850 USD/TM
        assert margin.cost_usd > 770  # the cacao bought, plus 770 USD of export and freight
