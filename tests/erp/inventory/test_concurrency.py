"""Two stock outs of the same lot at the same moment, from two threads on their own database
connections: the row lock makes the second see what the first left, so stock is neither
oversold nor lost to an overwritten balance."""

import threading
import time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django_tenants.utils import tenant_context

from erp.inventory import services
from erp.inventory.models import MovementKind, StockBalance, StockMovement
from erp.lots.services import lot_create
from erp.partners.services import partner_create
from triboka.accounts.models import User


def test_two_concurrent_outs_cannot_take_more_than_the_stock(
    committed_company, django_db_blocker, monkeypatch
):
    with django_db_blocker.unblock(), tenant_context(committed_company):
        user = User.objects.get(email="e@epsilon.test")
        center = partner_create(name="Centro Uno", kind="center", tax_id="0912345675001")
        lot = lot_create(user=user, owner=center, weight_kg=Decimal("100"))
        services.stock_receive(lot=lot, center=center, kg=Decimal("100"), user=user)
        warehouse = services.warehouse_default_for(center)

    change = services._change

    def change_then_linger(balance, delta, field="kg"):
        change(balance, delta, field)
        time.sleep(0.3)  # the other thread arrives while this one holds the balance's row

    monkeypatch.setattr(services, "_change", change_then_linger)
    start, outcomes = threading.Barrier(2), []

    def take_sixty() -> None:
        try:
            with tenant_context(committed_company):
                start.wait()
                services.stock_out(lot=lot, warehouse=warehouse, kg=Decimal("60"), user=user)
            outcomes.append("out")
        except ValidationError as refused:
            outcomes.append(refused.message_dict)
        except Exception as error:  # reported below, in the test's thread
            outcomes.append(error)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=take_sixty) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert outcomes.count("out") == 1, outcomes
        (refused,) = [outcome for outcome in outcomes if outcome != "out"]
        assert list(refused) == ["kg"] and "40.00" in refused["kg"][0], outcomes
        with tenant_context(committed_company):
            assert StockBalance.objects.get(lot=lot, warehouse=warehouse).kg == Decimal("40.00")
            assert StockMovement.objects.filter(lot=lot, kind=MovementKind.OUT).count() == 1
