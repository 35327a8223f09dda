"""Where each lot's kilograms lie, and every movement that put them there.

A balance is the stock of one lot in one warehouse; the database refuses a negative one
(CHECK), and the services refuse it first with a clear message. Movements are the record:
in (from a reception), out, transfer between warehouses, adjustment with a reason (a
processing step that changed the lot's weight, a count).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.lots.models import Lot
from erp.partners.models import Partner
from erp.units import kg_to_qq, kg_to_tm


class Warehouse(models.Model):
    name = models.CharField(_("name"), max_length=120)
    center = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="warehouses",
        verbose_name=_("collection center"),
        help_text=_("Empty for the company's own warehouses."),
    )
    is_default = models.BooleanField(_("default of its center"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["center"],
                condition=models.Q(is_default=True),
                name="warehouse_one_default_per_center",
            )
        ]

    def __str__(self):
        return self.name


class StockBalance(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="stock", verbose_name=_("lot"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="balances", verbose_name=_("warehouse")
    )
    kg = models.DecimalField(_("stock (kg)"), max_digits=12, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")
        constraints = [
            models.UniqueConstraint(fields=["lot", "warehouse"], name="stock_balance_lot_warehouse"),
            models.CheckConstraint(condition=models.Q(kg__gte=0), name="stock_never_negative"),
        ]

    def __str__(self):
        return f"{self.lot_id}@{self.warehouse_id}: {self.kg} kg"

    @property
    def qq(self):
        return kg_to_qq(self.kg)

    @property
    def tm(self):
        return kg_to_tm(self.kg)


class MovementKind(models.TextChoices):
    IN = "in", _("In (reception)")
    OUT = "out", _("Out")
    TRANSFER = "transfer", _("Transfer")
    ADJUSTMENT = "adjustment", _("Adjustment")


class StockMovement(models.Model):
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements", verbose_name=_("lot"))
    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    from_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("from")
    )
    to_warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("to")
    )
    kg = models.DecimalField(_("kg"), max_digits=12, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["lot", "at"])]

    def __str__(self):
        return f"{self.kind} {self.kg} kg {self.lot_id}"
