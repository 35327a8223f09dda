from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from erp.softdelete import SoftDeleteModel, TimestampedModel
from triboka.validators import validate_cedula, validate_ruc


class PartnerKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    CENTER = "center", _("Collection center")
    EXPORTER = "exporter", _("Exporter")
    BUYER = "buyer", _("Buyer")


class Province(models.TextChoices):
    AZUAY = "01", "Azuay"
    BOLIVAR = "02", "Bolívar"
    CANAR = "03", "Cañar"
    CARCHI = "04", "Carchi"
    COTOPAXI = "05", "Cotopaxi"
    CHIMBORAZO = "06", "Chimborazo"
    EL_ORO = "07", "El Oro"
    ESMERALDAS = "08", "Esmeraldas"
    GUAYAS = "09", "Guayas"
    IMBABURA = "10", "Imbabura"
    LOJA = "11", "Loja"
    LOS_RIOS = "12", "Los Ríos"
    MANABI = "13", "Manabí"
    MORONA_SANTIAGO = "14", "Morona Santiago"
    NAPO = "15", "Napo"
    PASTAZA = "16", "Pastaza"
    PICHINCHA = "17", "Pichincha"
    TUNGURAHUA = "18", "Tungurahua"
    ZAMORA_CHINCHIPE = "19", "Zamora Chinchipe"
    GALAPAGOS = "20", "Galápagos"
    SUCUMBIOS = "21", "Sucumbíos"
    ORELLANA = "22", "Orellana"
    SANTO_DOMINGO = "23", "Santo Domingo de los Tsáchilas"
    SANTA_ELENA = "24", "Santa Elena"


def validate_tax_id(value: str) -> None:
    """A RUC (13 digits) or a cédula (10 digits), each checked for what it is."""
    if len(value) == 13:
        validate_ruc(value)
    elif len(value) == 10:
        validate_cedula(value)
    else:
        raise ValidationError(
            _("Enter a RUC (13 digits) or a cédula (10 digits); this has %(count)d characters.")
            % {"count": len(value)},
            code="length",
        )


class Partner(TimestampedModel, SoftDeleteModel):
    """A supplier, collection center, exporter or buyer registered in the company's ERP."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices)
    tax_id = models.CharField(
        _("RUC or cédula"),
        max_length=13,
        blank=True,
        validators=[validate_tax_id],
        help_text=_("Required except for buyers abroad."),
    )
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    canton = models.CharField(_("canton"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    logo = models.ImageField(_("logo"), upload_to="partners/logos/", blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tax_id"],
                condition=models.Q(deleted_at__isnull=True) & ~models.Q(tax_id=""),
                name="partner_unique_live_tax_id",
                violation_error_message=_("A partner with this RUC or cédula already exists."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.tax_id and self.kind != PartnerKind.BUYER:
            raise ValidationError({"tax_id": _("A RUC or cédula is required for this kind of partner.")})
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError({"longitude": _("Give both latitude and longitude, or neither.")})


class Membership(models.Model):
    """Binds a user to the partner whose contracts, lots and documents they work on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")

    def __str__(self):
        return f"{self.user} → {self.partner}"
