"""Reads of the IoT app, scoped to what a user may see (the same rules as erp.access):
company-side users see every device and reading; a collection center the devices that
stand at it and the readings of those devices or of its own lots; a supplier the readings
of its own lots, and no device."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from erp.access import is_company_side, user_partner_id
from triboka.accounts.models import Role

from .models import Device, DeviceError, Reading, ReadingImport


def devices_visible_to(user, devices: QuerySet | None = None) -> QuerySet[Device]:
    devices = Device.objects.all() if devices is None else devices
    if is_company_side(user):
        return devices
    partner = user_partner_id(user)
    if getattr(user, "role", None) != Role.CENTER or partner is None:
        return devices.none()
    return devices.filter(location_id=partner)


def readings_visible_to(user, readings: QuerySet | None = None) -> QuerySet[Reading]:
    readings = Reading.objects.all() if readings is None else readings
    if is_company_side(user):
        return readings
    partner = user_partner_id(user)
    if partner is None:
        return readings.none()
    if getattr(user, "role", None) == Role.CENTER:
        return readings.filter(Q(device__location_id=partner) | Q(lot__owner_id=partner))
    return readings.filter(lot__owner_id=partner)


def imports_visible_to(user) -> QuerySet[ReadingImport]:
    return ReadingImport.objects.filter(device__in=devices_visible_to(user)).select_related(
        "device", "created_by"
    )


def reading_list(*, user) -> QuerySet[Reading]:
    return readings_visible_to(user, Reading.objects.select_related("device", "lot"))


def today_start() -> datetime:
    return timezone.make_aware(datetime.combine(timezone.localdate(), time.min))


def devices_with_health(devices: QuerySet[Device]) -> QuerySet[Device]:
    """Each device with its last reading, readings since midnight and errors since midnight
    (refused readings of streams, and rejected rows of today's imports)."""
    since = today_start()
    return devices.select_related("location").annotate(
        last_reading_at=Max("readings__received_at"),
        readings_today=Count("readings", filter=Q(readings__received_at__gte=since), distinct=True),
    )


def device_errors_today(device_ids) -> dict[int, int]:
    """Errors since midnight per device: refused stream readings plus rejected import rows."""
    since = today_start()
    counts = dict(
        DeviceError.objects.filter(device_id__in=device_ids, at__gte=since)
        .values("device_id")
        .annotate(total=Count("id"))
        .values_list("device_id", "total")
    )
    rows = (
        ReadingImport.objects.filter(device_id__in=device_ids, created_at__gte=since)
        .values("device_id")
        .annotate(total=Sum("rejected"))
        .values_list("device_id", "total")
    )
    for device_id, total in rows:
        counts[device_id] = counts.get(device_id, 0) + (total or 0)
    return counts


def company_iot_figures() -> dict:
    """The current company's IoT figures for the master dashboard (run in its schema)."""
    since = today_start()
    devices = Device.objects.filter(is_active=True).count()
    today = Reading.objects.filter(received_at__gte=since)
    errors = sum(device_errors_today(Device.objects.values_list("pk", flat=True)).values())
    last = Reading.objects.aggregate(last=Max("received_at"))["last"]
    return {
        "iot_devices": devices,
        "iot_readings_today": today.count(),
        "iot_errors_today": errors,
        "iot_last_reading_at": last,
    }


def lot_series(lot, *, days: int = 365) -> list[Reading]:
    """A lot's readings in time order, for its chart of weight and moisture."""
    since = timezone.now() - timedelta(days=days)
    return list(
        Reading.objects.filter(lot=lot, measured_at__gte=since)
        .select_related("device")
        .order_by("measured_at", "id")[:2000]
    )
