"""Writes of the IoT app: devices and their keys, and the one way readings come in.

Every transport (REST, CSV, serial, MQTT) hands its readings to ``readings_ingest`` (or,
for large files, to ``reading_clean`` and ``readings_store`` batch by batch): the same
validation, the same idempotency (a unique key per device, ``INSERT ... ON CONFLICT DO
NOTHING``), the same effects on lots.

A reading assigned to a lot makes the lot's weight and humidity the measured ones when it
is the lot's newest reading of that value (readings may arrive out of order: an older one
is stored and shown, and changes nothing), through ``erp.lots.services.lot_measure`` so the
lot's timeline says which device measured it.
"""

import hashlib
import hmac
import json
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from erp.lots.models import Lot
from erp.lots.services import lot_measure
from erp.partners.models import PartnerKind
from master.licensing.limits import iot_devices_limit_check
from triboka.audit.models import AuditAction
from triboka.audit.services import audit_record, audit_record_changes, stored_values
from triboka.errors import ApplicationError

from .models import Device, DeviceError, IotSettings, Reading
from .values import datetime_from, decimal_from

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ONE = Decimal("1")
ZERO, HUNDRED, COLDEST, HOTTEST = Decimal(0), Decimal(100), Decimal(-50), Decimal(150)
TOO_LARGE = Decimal(10**10)
DEVICE_FIELDS = (
    "name",
    "kind",
    "serial_number",
    "location",
    "transport",
    "capacity_kg",
    "calibrated_on",
    "calibration_factor",
    "csv_columns",
    "serial_pattern",
)
# Gross - tare may differ from the net a device sends by rounding, not more.
NET_TOLERANCE_KG = Decimal("0.05")
MAX_BATCH = 1000


# --- devices ------------------------------------------------------------------------------


def _check_location(device: Device) -> None:
    if device.location_id and device.location.kind != PartnerKind.CENTER:
        raise ValidationError({"location": _("A device stands at a collection center.")})


@transaction.atomic
def device_register(*, user, **fields) -> tuple[Device, str]:
    """A new device and its key (returned once: only its hash is kept)."""
    _lock_device_count()
    iot_devices_limit_check(adding=1, field="name")
    device = Device(**{name: value for name, value in fields.items() if name in DEVICE_FIELDS})
    device.full_clean()
    _check_location(device)
    key = _new_key(device)
    device.save()
    audit_record(
        action=AuditAction.DEVICE_REGISTERED, target=device, after=stored_values(device, DEVICE_FIELDS)
    )
    return device, key


@transaction.atomic
def device_update(*, device: Device, **changes) -> Device:
    unknown = set(changes) - set(DEVICE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    before = stored_values(device, changes)
    for name, value in changes.items():
        setattr(device, name, value)
    device.full_clean()
    _check_location(device)
    device.save(update_fields=[*changes, "updated_at"])
    audit_record_changes(
        action=AuditAction.DEVICE_UPDATED, target=device, before=before, after=stored_values(device, changes)
    )
    return device


@transaction.atomic
def device_set_active(*, device: Device, active: bool) -> Device:
    """Deactivate (its key stops working at once, its readings stay) or activate again
    (within the license's device limit)."""
    if device.is_active == active:
        return device
    if active:
        _lock_device_count()
        iot_devices_limit_check(adding=1, field="is_active")
    device.is_active = active
    device.save(update_fields=["is_active", "updated_at"])
    action = AuditAction.DEVICE_ACTIVATED if active else AuditAction.DEVICE_DEACTIVATED
    audit_record(action=action, target=device)
    return device


@transaction.atomic
def device_key_rotate(*, device: Device) -> str:
    """A new key for the device; the old one stops working at once."""
    key = _new_key(device)
    device.save(update_fields=["key_prefix", "key_hash", "key_created_at", "updated_at"])
    audit_record(action=AuditAction.DEVICE_KEY_ROTATED, target=device)
    return key


@transaction.atomic
def device_key_revoke(*, device: Device) -> Device:
    device.key_prefix, device.key_hash, device.key_created_at = None, "", None
    device.save(update_fields=["key_prefix", "key_hash", "key_created_at", "updated_at"])
    audit_record(action=AuditAction.DEVICE_KEY_REVOKED, target=device)
    return device


def _lock_device_count() -> None:
    """Two registrations at once must not both pass the limit: one waits for the other
    (a lock of this company's schema, released at commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"iot-devices:{connection.schema_name}"]
        )


def _new_key(device: Device) -> str:
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    device.key_prefix = prefix
    device.key_hash = _digest(secret)
    device.key_created_at = timezone.now()
    return f"{prefix}.{secret}"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def device_for_key(key: str) -> Device | None:
    """The active device of the current company whose key this is, or None. A key of
    another company's device finds nothing here: its prefix is not in this schema."""
    prefix, _dot, secret = (key or "").strip().partition(".")
    if not prefix or not secret or len(prefix) > 16:
        return None
    device = Device.objects.filter(key_prefix=prefix, is_active=True).select_related("location").first()
    if device is None or not hmac.compare_digest(device.key_hash, _digest(secret)):
        return None
    return device


# A device's reading is decided by the license as this path is (master/licensing/enforcement.py).
READINGS_PATH = "/api/v1/iot/readings/"


def company_taking_readings(slug: str):
    """The company of ``<slug>.<BASE_DOMAIN>`` if it takes devices' readings now, for the
    transports that do not come through a web request (MQTT, serial, files by command):
    the same route cache and license gate as a REST reading. ApplicationError otherwise."""
    from master.companies.routing import route_for_host
    from master.licensing.enforcement import license_refusal

    route = route_for_host(f"{slug}.{settings.BASE_DOMAIN}")
    if route is None or route.company is None:
        message = _("No company has the subdomain %(slug)r.") % {"slug": slug}
        raise ApplicationError(message, code="unknown_company", status_code=404)
    if route.company.is_suspended:
        message = _("Company %(slug)s is suspended.") % {"slug": slug}
        raise ApplicationError(message, code="company_suspended", status_code=403)
    refusal = license_refusal(route.license, path=READINGS_PATH, method="POST", today=timezone.localdate())
    if refusal is not None:
        raise ApplicationError(refusal.message, code=refusal.code, status_code=refusal.status)
    return route.company


def iot_settings() -> IotSettings:
    settings_row = IotSettings.objects.first()
    return settings_row if settings_row is not None else IotSettings()


# --- readings: validation ------------------------------------------------------------------

ALIASES = {
    # The seed's POST /iot/pesaje {lote_id, peso, humedad, origen}, and common short names.
    "lote_id": "lot",
    "lote": "lot",
    "lot_id": "lot",
    "lot_code": "lot",
    "peso": "net_kg",
    "weight": "net_kg",
    "weight_kg": "net_kg",
    "net": "net_kg",
    "gross": "gross_kg",
    "tare": "tare_kg",
    "humedad": "moisture_percent",
    "moisture": "moisture_percent",
    "humidity": "moisture_percent",
    "temperature": "temperature_c",
    "temperatura": "temperature_c",
    "message_id": "id",
    "timestamp": "measured_at",
    "fecha": "measured_at",
}
NUMBER_FIELDS = ("gross_kg", "tare_kg", "net_kg", "moisture_percent", "temperature_c")


@dataclass(slots=True)
class CleanReading:
    key: str
    measured_at: datetime
    gross_kg: Decimal | None = None
    tare_kg: Decimal | None = None
    net_kg: Decimal | None = None
    moisture_percent: Decimal | None = None
    temperature_c: Decimal | None = None
    lot_id: int | None = None
    raw: dict = field(default_factory=dict)
    raw_json: str | None = None  # raw already as JSON text (a file's rows), stored instead of raw


class LotFinder:
    """Lots named by readings (id or code), looked up once per batch, and checked against
    the device's collection center: a device feeds only its center's lots."""

    def __init__(self, device: Device):
        self.device = device
        self.found: dict[str, Lot | None] = {}

    def prefetch(self, names: Iterable) -> None:
        names = {str(name).strip() for name in names if name not in (None, "")} - set(self.found)
        if not names:
            return
        ids = [int(name) for name in names if name.isdigit()]
        lots = Lot.objects.filter(code__in=names) | Lot.objects.filter(pk__in=ids)
        for lot in lots.only("id", "code", "owner_id", "humidity_percent"):
            self.found[lot.code] = lot
            self.found[str(lot.pk)] = lot
        for name in names:
            self.found.setdefault(name, None)

    def lot_id(self, name) -> int | None:
        if name in (None, ""):
            return None
        name = str(name).strip()
        self.prefetch([name])
        lot = self.found[name]
        if lot is None:
            raise ValueError(_("There is no lot %(lot)s in this company.") % {"lot": name[:40]})
        if self.device.location_id and lot.owner_id != self.device.location_id:
            raise ValueError(
                _("Lot %(lot)s belongs to another partner than this device's collection center.")
                % {"lot": lot.code}
            )
        return lot.pk


def canonical(data: dict) -> dict:
    """Field names as the service knows them (aliases and upper case accepted)."""
    return {_field_name(name): value for name, value in data.items()}


@lru_cache(maxsize=1024)
def _field_name(name) -> str:
    name = str(name).strip().lower()
    return ALIASES.get(name, name)


def reading_clean(
    device: Device,
    data: dict,
    *,
    lots: LotFinder,
    now: datetime | None = None,
    raw: dict | None = None,
    raw_json: str | None = None,
) -> CleanReading:
    """One reading's values checked and converted (kg in Decimal, the device's calibration
    applied), or ValidationError with a message per field. ``raw`` is what to keep of what
    the device sent (default: ``data``); a file's row keeps its cells by header, already as
    a JSON object's text (``raw_json``: a million rows make a dict per row count)."""
    data = canonical(data)
    now = now or timezone.now()
    errors, values = {}, {}
    for name in NUMBER_FIELDS:
        value = data.get(name)
        try:
            values[name] = None if value is None else decimal_from(value)
        except ValueError as error:
            errors[name] = str(error)
    try:
        measured_at = datetime_from(data["measured_at"]) if data.get("measured_at") not in (None, "") else now
    except ValueError as error:
        errors["measured_at"], measured_at = str(error), now
    try:
        lot_id = lots.lot_id(data["lot"]) if data.get("lot") not in (None, "") else None
    except ValueError as error:
        errors["lot"], lot_id = str(error), None
    if not errors:
        _check_values(device, values, measured_at, now, errors)
    if errors:
        raise ValidationError(errors)
    return CleanReading(
        key=_reading_key(device, data.get("id"), measured_at, values),
        measured_at=measured_at,
        lot_id=lot_id,
        raw={} if raw_json is not None else _jsonable(data if raw is None else raw),
        raw_json=raw_json,
        **values,
    )


def _check_values(device: Device, values: dict, measured_at: datetime, now: datetime, errors: dict) -> None:
    for name in NUMBER_FIELDS:  # first: quantizing 1E+30 would raise, not refuse it
        if values[name] is not None and abs(values[name]) >= TOO_LARGE:
            errors[name] = _("The number is too large.")
    if errors:
        return
    _calibrate(device, values)
    gross, tare, net = values["gross_kg"], values["tare_kg"], values["net_kg"]
    if net is None and gross is not None:
        net = values["net_kg"] = gross - (tare or 0)
    if gross is not None and tare is not None and abs(gross - tare - net) > NET_TOLERANCE_KG:
        errors["net_kg"] = _("Gross %(gross)s kg minus tare %(tare)s kg is not the net %(net)s kg.") % {
            "gross": gross,
            "tare": tare,
            "net": net,
        }
    if tare is not None and tare < ZERO:
        errors["tare_kg"] = _("The tare cannot be negative.")
    if net is not None and net <= ZERO:
        errors["net_kg"] = _("The weight must be more than 0 kg.")
    heaviest = gross if net is None or (gross is not None and gross > net) else net
    if heaviest is not None and device.capacity_kg is not None and heaviest > device.capacity_kg:
        errors["gross_kg" if gross is not None else "net_kg"] = _(
            "%(weight)s kg is above the device's capacity of %(capacity)s kg."
        ) % {"weight": heaviest, "capacity": device.capacity_kg}
    moisture, temperature = values["moisture_percent"], values["temperature_c"]
    if moisture is not None and not ZERO <= moisture <= HUNDRED:
        errors["moisture_percent"] = _("Moisture is a percentage between 0 and 100.")
    if temperature is not None and not COLDEST <= temperature <= HOTTEST:
        errors["temperature_c"] = _("The temperature must be between -50 and 150 °C.")
    if net is None and moisture is None:
        errors["net_kg"] = _("A reading needs a weight or a moisture.")
    if measured_at > now + timedelta(seconds=settings.IOT_MAX_CLOCK_AHEAD_SECONDS):
        errors["measured_at"] = _("The measured-at time is in the future; check the device's clock.")
    for name in ("gross_kg", "tare_kg", "net_kg"):  # the factor may have made one too large
        if values[name] is not None and abs(values[name]) >= TOO_LARGE:
            errors[name] = _("The number is too large.")
    if moisture is not None:
        values["moisture_percent"] = moisture.quantize(CENT)
    if temperature is not None:
        values["temperature_c"] = temperature.quantize(CENT)


def _calibrate(device: Device, values: dict) -> None:
    factor = device.calibration_factor or ONE
    for name in ("gross_kg", "tare_kg", "net_kg"):
        if values[name] is not None:
            values[name] = (values[name] if factor == ONE else values[name] * factor).quantize(CENT)


def _reading_key(device: Device, message_id, measured_at: datetime, values: dict) -> str:
    """The device's own message id when it sends one; otherwise the reading's content."""
    if message_id not in (None, ""):
        message_id = str(message_id).strip()
        if len(message_id) <= 78:
            return f"m:{message_id}"
        return "m:" + hashlib.sha256(message_id.encode()).hexdigest()[:64]
    parts = [str(device.pk), measured_at.astimezone(UTC).isoformat()]
    parts += ["" if values[name] is None else str(values[name].normalize()) for name in NUMBER_FIELDS]
    return "h:" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:64]


def _jsonable(data: dict) -> dict:
    out = {}
    for name, value in data.items():
        name = name[:60] if name.__class__ is str else str(name)[:60]
        if value.__class__ is str:
            out[name] = value[:500]
        elif isinstance(value, int | float | bool) or value is None:
            out[name] = value
        else:
            out[name] = str(value)[:500]
    return out


# --- readings: storing and effects ----------------------------------------------------------


@dataclass
class IngestReport:
    received: int = 0
    added: int = 0
    duplicates: int = 0
    rejected: list = field(default_factory=list)  # {"line": n, "errors": {field: message}}
    reading_ids: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "received": self.received,
            "added": self.added,
            "duplicates": self.duplicates,
            "rejected": len(self.rejected),
            "rejections": self.rejected,
            "readings": self.reading_ids,
        }


def readings_ingest(
    *, device: Device, items: list[dict], origin: str, first_line: int = 1, all_or_nothing: bool = False
) -> IngestReport:
    """Validate and store readings of one device. With ``all_or_nothing`` (a REST request)
    one bad reading stores nothing (the report lists the errors by position); otherwise
    (files, streams) the bad ones are reported with their line and the good ones kept."""
    report = IngestReport(received=len(items))
    lots = LotFinder(device)
    lots.prefetch(canonical(item).get("lot") for item in items if isinstance(item, dict))
    clean, now = [], timezone.now()
    for line, item in enumerate(items, start=first_line):
        try:
            if not isinstance(item, dict):
                raise ValidationError({"non_field_errors": _("A reading is an object of fields.")})
            clean.append(reading_clean(device, item, lots=lots, now=now))
        except ValidationError as error:
            report.rejected.append({"line": line, "errors": error_messages(error)})
    if report.rejected and all_or_nothing:
        return report  # nothing stored; the caller answers with the errors
    if not all_or_nothing:
        device_errors_record(
            device=device, origin=origin, rejected=report.rejected, items=items, first_line=first_line
        )
    added = readings_store(device=device, readings=clean, origin=origin)
    report.added, report.duplicates, report.reading_ids = len(added), len(clean) - len(added), added
    return report


def error_messages(error: ValidationError) -> dict:
    """A refusal's messages, one text per field (a rejected row's reason)."""
    return {name: " ".join(str(m) for m in messages) for name, messages in error.message_dict.items()}


def device_errors_record(
    *, device: Device, origin: str, rejected: list, items: list, first_line: int = 1
) -> None:
    """Refused readings of a stream, for the device's health (at most 100 a batch)."""
    rows = []
    for rejection in rejected[:100]:
        item = (
            items[rejection["line"] - first_line] if 0 <= rejection["line"] - first_line < len(items) else {}
        )
        reason = "; ".join(f"{name}: {message}" for name, message in rejection["errors"].items())
        raw = _jsonable(item) if isinstance(item, dict) else {"value": str(item)[:500]}
        rows.append(DeviceError(device=device, origin=origin, message=reason, raw=raw))
    if rows:
        DeviceError.objects.bulk_create(rows)


def device_error_record(*, device: Device, origin: str, message: str, raw=None) -> None:
    DeviceError.objects.create(device=device, origin=origin, message=message[:2000], raw=_jsonable(raw or {}))


@transaction.atomic
def readings_store(*, device: Device, readings: list[CleanReading], origin: str) -> list[int]:
    """Insert what is new (one INSERT ... ON CONFLICT whatever the batch's size) and apply the effects;
    returns the ids of the rows added. A key already stored, or twice in the batch, adds
    nothing: the unique constraint decides, so concurrent senders cannot both add it."""
    now = timezone.now()
    if readings:
        added = _insert(device, readings, origin, now)
    else:
        added = []
    Device.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
    lots = {lot_id for _id, lot_id in added if lot_id is not None}
    if lots:
        readings_apply_to_lots(
            device=device, lot_ids=lots, added_ids={reading_id for reading_id, _lot in added}
        )
    return [reading_id for reading_id, _lot in added]


COLUMNS = (
    ("device_id", "bigint"),
    ("lot_id", "bigint"),
    ("key", "text"),
    ("gross_kg", "numeric"),
    ("tare_kg", "numeric"),
    ("net_kg", "numeric"),
    ("moisture_percent", "numeric"),
    ("temperature_c", "numeric"),
    ("measured_at", "timestamptz"),
    ("received_at", "timestamptz"),
    ("origin", "text"),
    ("raw", "jsonb"),
)


def _insert(
    device: Device, readings: list[CleanReading], origin: str, now: datetime
) -> list[tuple[int, int]]:
    if len(readings) >= COPY_FROM:
        return _insert_copied(device, readings, origin, now)
    table = connection.ops.quote_name(Reading._meta.db_table)
    names = ", ".join(name for name, _type in COLUMNS)
    arrays = ", ".join(f"%s::{kind}[]" for _name, kind in COLUMNS)
    values = [
        [device.pk] * len(readings),
        [r.lot_id for r in readings],
        [r.key for r in readings],
        [r.gross_kg for r in readings],
        [r.tare_kg for r in readings],
        [r.net_kg for r in readings],
        [r.moisture_percent for r in readings],
        [r.temperature_c for r in readings],
        [r.measured_at for r in readings],
        [now] * len(readings),
        [origin] * len(readings),
        [_raw_text(r) for r in readings],
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}) "
            "ON CONFLICT (device_id, key) DO NOTHING RETURNING id, lot_id",
            values,
        )
        return cursor.fetchall()


# From this many readings, COPY them to a temporary table first: psycopg's client-side
# quoting of a dozen arrays costs more than the insert itself (a CSV file's batches).
COPY_FROM = 500
COPIED = (
    "lot_id",
    "key",
    "gross_kg",
    "tare_kg",
    "net_kg",
    "moisture_percent",
    "temperature_c",
    "measured_at",
)


def _insert_copied(
    device: Device, readings: list[CleanReading], origin: str, now: datetime
) -> list[tuple[int, int]]:
    table = connection.ops.quote_name(Reading._meta.db_table)
    columns = ", ".join(f"{name} {kind}" for name, kind in COLUMNS if name in (*COPIED, "raw"))
    names = ", ".join((*COPIED, "raw"))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE iot_reading_in ({columns}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY iot_reading_in ({names}) FROM STDIN") as copy:
            copy.write(getattr(readings, "copy_text", "") or copy_text(readings))
        cursor.execute(
            f"INSERT INTO {table} (device_id, received_at, origin, {names}) "
            f"SELECT %s, %s, %s, {names} FROM iot_reading_in "
            "ON CONFLICT (device_id, key) DO NOTHING RETURNING id, lot_id",
            [device.pk, now, origin],
        )
        added = cursor.fetchall()
        cursor.execute("DROP TABLE iot_reading_in")  # a second batch in this transaction makes its own
    return added


class Prepared(list):
    """Readings with their COPY text made beforehand: a file's reader makes it while the
    batch before is being stored, in another thread (``readings_prepared``)."""

    copy_text: str = ""


def readings_prepared(readings: list[CleanReading]) -> list[CleanReading]:
    prepared = Prepared(readings)
    if len(prepared) >= COPY_FROM:
        prepared.copy_text = copy_text(prepared)
    return prepared


def copy_text(readings: list[CleanReading]) -> str:
    return "".join(map(_copy_line, readings))


def _copy_line(r: CleanReading) -> str:
    """A reading as a line of COPY's text format (tab-separated, \\N for null); inline, as
    it runs a million times for a file."""
    return (
        f"{NULL if r.lot_id is None else r.lot_id}\t{_copy_text(r.key)}\t"
        f"{NULL if r.gross_kg is None else r.gross_kg}\t{NULL if r.tare_kg is None else r.tare_kg}\t"
        f"{NULL if r.net_kg is None else r.net_kg}\t"
        f"{NULL if r.moisture_percent is None else r.moisture_percent}\t"
        f"{NULL if r.temperature_c is None else r.temperature_c}\t{r.measured_at.isoformat()}\t"
        f"{_copy_text(r.raw_json or json.dumps(r.raw))}\n"
    )


def _raw_text(r: CleanReading) -> str:
    return r.raw_json or json.dumps(r.raw)


NULL = "\\N"
COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _copy_text(text: str) -> str:
    if COPY_SPECIAL.search(text) is None:
        return text
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def readings_apply_to_lots(*, device: Device, lot_ids: Iterable[int], added_ids: set[int]) -> None:
    """Each lot takes the values of its newest reading, if that reading is one just added."""
    source = _("device %(name)s (serial %(serial)s)") % {"name": device.name, "serial": device.serial_number}
    for lot_id in sorted(lot_ids):  # a fixed order: two batches never lock lots crosswise
        lot = Lot.objects.select_for_update().filter(pk=lot_id).first()
        if lot is None:
            continue
        changes = {}
        newest_weight = _newest(lot_id, "net_kg")
        if newest_weight is not None and newest_weight[0] in added_ids:
            changes["weight_kg"] = newest_weight[1]
        newest_moisture = _newest(lot_id, "moisture_percent")
        if newest_moisture is not None and newest_moisture[0] in added_ids:
            changes["humidity_percent"] = newest_moisture[1]
        if changes:
            _measure(lot, device, source, changes)


def _newest(lot_id: int, value: str):
    return (
        Reading.objects.filter(lot_id=lot_id, **{f"{value}__isnull": False})
        .order_by("-measured_at", "-id")
        .values_list("id", value)
        .first()
    )


def _measure(lot: Lot, device: Device, source: str, changes: dict) -> None:
    before = lot.humidity_percent
    try:
        with transaction.atomic():
            lot_measure(lot=lot, source=source, **changes)
    except ValidationError as error:  # the contract's volume, say: the reading stays, the lot not
        device_error_record(
            device=device,
            origin=device.transport,
            message=_("Lot %(code)s not updated: %(reason)s")
            % {"code": lot.code, "reason": " ".join(error.messages)},
        )
        return
    _warn_if_too_wet(lot, device, source, before)


def _warn_if_too_wet(lot: Lot, device: Device, source: str, before: Decimal | None) -> None:
    """Notified when the lot's moisture goes above the limit, not on every reading above it."""
    from erp.notifications.triggers import on_lot_moisture_high

    limit = iot_settings().moisture_limit_percent
    now_wet = lot.humidity_percent is not None and lot.humidity_percent > limit
    was_wet = before is not None and before > limit
    if now_wet and not was_wet:
        on_lot_moisture_high(lot, limit=limit, source=source, center_id=device.location_id)


@transaction.atomic
def reading_assign_lot(*, reading: Reading, lot: Lot | None, user) -> Reading:
    """A center user names the lot a reading weighed (or clears it)."""
    if lot is not None and reading.device.location_id and lot.owner_id != reading.device.location_id:
        raise ValidationError(
            {
                "lot": _("Lot %(lot)s belongs to another partner than this device's collection center.")
                % {"lot": lot.code}
            }
        )
    reading.lot = lot
    reading.assigned_by, reading.assigned_at = user, timezone.now()
    reading.save(update_fields=["lot", "assigned_by", "assigned_at"])
    if lot is not None:
        readings_apply_to_lots(device=reading.device, lot_ids=[lot.pk], added_ids={reading.pk})
    return reading
