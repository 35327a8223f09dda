"""Sales contracts with foreign buyers, their shipments and containers, and the documents a
shipment needs before it sails."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.contracts.models import Contract, PriceType, Variety
from erp.files import StoredFile
from erp.inventory.models import StockMovement
from erp.lots.models import Lot
from erp.partners.models import Partner
from erp.units import kg_to_qq, kg_to_tm

POSITIVE = [MinValueValidator(Decimal("0.001"))]


class Incoterm(models.TextChoices):
    """Incoterms 2020 as cocoa is sold from Ecuador."""

    EXW = "EXW", "EXW"
    FCA = "FCA", "FCA"
    FOB = "FOB", "FOB"
    CFR = "CFR", "CFR"
    CIF = "CIF", "CIF"
    DAP = "DAP", "DAP"


class SalesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class SalesContract(models.Model):
    """A sale to a buyer abroad. A fixed price is in USD/TM; a differential one is the
    futures price plus the differential (positive: a premium the buyer pays over the futures)
    until it is fixed (``fixed_price_usd_per_tm``)."""

    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    buyer = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sales_as_buyer", verbose_name=_("buyer")
    )
    exporter = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="sales_as_exporter", verbose_name=_("exporter")
    )
    buyer_reference = models.CharField(_("buyer's reference"), max_length=60, blank=True)
    incoterm = models.CharField(_("incoterm"), max_length=3, choices=Incoterm.choices, default=Incoterm.FOB)
    variety = models.CharField(_("variety"), max_length=16, choices=Variety.choices, default=Variety.NACIONAL)
    quantity_tm = models.DecimalField(
        _("quantity (TM)"), max_digits=12, decimal_places=3, validators=POSITIVE
    )
    price_type = models.CharField(_("price type"), max_length=16, choices=PriceType.choices)
    price_usd_per_tm = models.DecimalField(
        _("price (USD/TM)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    differential_usd_per_tm = models.DecimalField(
        _("differential over the futures (USD/TM)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    fixed_price_usd_per_tm = models.DecimalField(
        _("fixed price (USD/TM)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=POSITIVE
    )
    fixed_on = models.DateField(_("price fixed on"), null=True, blank=True)
    quality_terms = models.TextField(_("quality terms"), blank=True)
    shipment_from = models.DateField(_("shipment from"))
    shipment_to = models.DateField(_("shipment to"))
    destination_port = models.CharField(_("port of destination"), max_length=80, blank=True)
    destination_country = models.CharField(_("country of destination (ISO 3166)"), max_length=2, blank=True)
    purchase_contracts = models.ManyToManyField(
        Contract, blank=True, related_name="sales_contracts", verbose_name=_("purchase contracts")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SalesStatus.choices, default=SalesStatus.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sales contract")
        verbose_name_plural = _("sales contracts")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shipment_from__lte=models.F("shipment_to")), name="export_sale_window"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def sale_price_usd_per_tm(self) -> Decimal | None:
        """The price margins are counted at: the fixed price, or the fixation of a differential."""
        if self.price_type == PriceType.FIXED:
            return self.price_usd_per_tm
        return self.fixed_price_usd_per_tm


class PortOfLoading(models.TextChoices):
    GUAYAQUIL = "ECGYE", _("Guayaquil")
    POSORJA = "ECPSJ", _("Posorja")
    PUERTO_BOLIVAR = "ECPBO", _("Puerto Bolívar")
    MANTA = "ECMEC", _("Manta")
    ESMERALDAS = "ECESM", _("Esmeraldas")


class ShipmentStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    BOOKED = "booked", _("Booked")
    LOADING = "loading", _("Loading")
    SHIPPED = "shipped", _("Shipped")
    ARRIVED = "arrived", _("Arrived")
    CANCELLED = "cancelled", _("Cancelled")


class Shipment(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True, editable=False)
    sales_contract = models.ForeignKey(
        SalesContract, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("sales contract")
    )
    booking_number = models.CharField(_("booking"), max_length=40, blank=True)
    shipping_line = models.CharField(_("shipping line"), max_length=80, blank=True)
    port_of_loading = models.CharField(
        _("port of loading"), max_length=5, choices=PortOfLoading.choices, default=PortOfLoading.GUAYAQUIL
    )
    port_of_discharge = models.CharField(_("port of discharge"), max_length=80, blank=True)
    vessel = models.CharField(_("vessel"), max_length=80, blank=True)
    voyage = models.CharField(_("voyage"), max_length=20, blank=True)
    bill_of_lading = models.CharField(_("bill of lading"), max_length=40, blank=True)
    etd = models.DateField(_("ETD"), null=True, blank=True)
    eta = models.DateField(_("ETA"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PLANNED
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(etd__isnull=True)
                | models.Q(eta__isnull=True)
                | models.Q(etd__lte=models.F("eta")),
                name="export_shipment_etd_before_eta",
            ),
        ]

    def __str__(self):
        return self.code


class Container(models.Model):
    """A container of a shipment, its number checked by ISO 6346's check digit."""

    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="containers", verbose_name=_("shipment")
    )
    number = models.CharField(_("container number"), max_length=11)
    seal_number = models.CharField(_("seal"), max_length=30, blank=True)
    size = models.CharField(_("size"), max_length=8, default="20DV")

    class Meta:
        verbose_name = _("container")
        verbose_name_plural = _("containers")
        ordering = ["shipment_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "number"], name="export_container_once_per_shipment"),
        ]

    def __str__(self):
        return self.number


class ContainerLot(models.Model):
    """Kilograms of a lot loaded into a container: a stock movement out of the warehouse."""

    container = models.ForeignKey(
        Container, on_delete=models.CASCADE, related_name="loads", verbose_name=_("container")
    )
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, related_name="container_loads", verbose_name=_("lot")
    )
    kg = models.DecimalField(_("net (kg)"), max_digits=12, decimal_places=2, validators=POSITIVE)
    sacks = models.PositiveIntegerField(_("sacks"), default=0)
    movement = models.OneToOneField(
        StockMovement,
        on_delete=models.PROTECT,
        related_name="container_load",
        verbose_name=_("stock movement"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lot in a container")
        verbose_name_plural = _("lots in containers")
        ordering = ["container_id", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(kg__gt=0), name="export_load_kg_positive")]

    def __str__(self):
        return f"{self.container} ← {self.lot} ({self.kg} kg)"

    @property
    def qq(self) -> Decimal:
        return kg_to_qq(self.kg)

    @property
    def tm(self) -> Decimal:
        return kg_to_tm(self.kg)


class ShipmentDocumentKind(models.TextChoices):
    """Documents issued by others and uploaded with their number; the commercial invoice,
    packing list and quality certificate are generated from the shipment's data."""

    PHYTOSANITARY = "phytosanitary", _("Phytosanitary certificate")
    ORIGIN = "origin", _("Certificate of origin")
    BILL_OF_LADING = "bill_of_lading", _("Bill of lading")
    OTHER = "other", _("Other")


class ShipmentDocument(StoredFile):
    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, related_name="documents", verbose_name=_("shipment")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ShipmentDocumentKind.choices)
    number = models.CharField(_("number"), max_length=60)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)

    class Meta:
        verbose_name = _("shipment document")
        verbose_name_plural = _("shipment documents")
        ordering = ["shipment_id", "kind", "-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number}"


class DueDiligenceStatement(models.Model):
    """The EUDR due diligence statement data of a shipment as it was handed over: the JSON
    in the shape of the EU information system's submission and the plots' GeoJSON, frozen
    with their SHA-256. Kept five years (Art. 12(3)): a trigger refuses any change and any
    deletion before ``retain_until``."""

    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    shipment = models.ForeignKey(
        Shipment, on_delete=models.PROTECT, related_name="statements", verbose_name=_("shipment")
    )
    statement = models.JSONField(_("statement data"))
    geojson = models.TextField(_("plots (GeoJSON)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    plots = models.ManyToManyField("eudr.Plot", related_name="statements", verbose_name=_("plots"))
    retain_until = models.DateField(_("kept until"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("due diligence statement")
        verbose_name_plural = _("due diligence statements")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.reference
