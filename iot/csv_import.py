"""CSV files of readings: the exports of Siemens scale terminals (SIWAREX) and PLC data logs
(WinCC), uploaded over the API or read by ``manage.py import_readings``.

The file is read as bytes, line by line, never whole: each line is UTF-8 (a byte-order mark
dropped) or, when it is not, Latin-1. The header names the columns (Fecha/Date/Datum,
Hora/Time/Zeit or one date-and-time column, Peso neto/Net/Gewicht, Humedad/Moisture/Feuchte
...; the device's ``csv_columns`` first), and its separators say the delimiter (``;``, ``,``
or tab). Each row goes through ``services.reading_clean`` like any reading: a bad row is
rejected with its line and reason, the good ones are kept.

Rows are stored in batches, each in its own transaction together with the import's
progress (lines and bytes read, counts, the first rejections). A worker killed mid-file
leaves the last committed batch as the place to go on from: the task run again seeks
there, so no row is counted twice.
"""

import csv
import json
import queue
import re
import threading
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from triboka.celery import app
from triboka.errors import ApplicationError

from .models import Device, ImportStatus, ReadingImport, Transport
from .services import LotFinder, error_messages, reading_clean, readings_prepared, readings_store
from .values import local_datetime

BATCH_ROWS = 10_000
MAX_LINE_BYTES = 1 << 20  # a longer "line" is no CSV row: read in pieces, memory stays flat
DELIMITERS = ";\t,"  # on a tie in the header, the first wins (a decimal comma is no delimiter)

# Logical columns and the field of services.reading_clean each one feeds.
VALUE_FIELDS = {
    "id": "id",
    "lot": "lot",
    "net": "net_kg",
    "gross": "gross_kg",
    "tare": "tare_kg",
    "moisture": "moisture_percent",
    "temperature": "temperature_c",
}
TIME_COLUMNS = ("datetime", "date", "time")

# Header names of Spanish, English and German exports, compared as ``header_key`` leaves them.
HEADER_NAMES = {
    "datetime": "fecha y hora|fecha hora|fechahora|fecha/hora|timestamp|time stamp|timestring|time string|"
    "datetime|date time|date and time|date/time|zeitstempel|datum uhrzeit|datum zeit|datum/zeit|measured at",
    "date": "fecha|date|datum|dia|day|datestring|date string",
    "time": "hora|time|zeit|uhrzeit|hour",
    "net": "peso|peso neto|neto|net|net weight|weight|gewicht|netto|nettogewicht|peso net",
    "gross": "bruto|peso bruto|gross|gross weight|brutto|bruttogewicht",
    "tare": "tara|tare|peso tara|tare weight|taragewicht",
    "moisture": "humedad|moisture|feuchte|feuchtigkeit|humidity|hum|humedad relativa",
    "temperature": "temperatura|temperature|temp|temperatur",
    "lot": "lote|lot|charge|batch|codigo lote|lote id|lot code|chargennummer",
    # Not "Nr" or "No": terminals restart those counters, and a reused number would make a
    # new weighing a duplicate. A device whose file has a real message id names it in its map.
    "id": "message id|msg id|mensaje id|id mensaje|id de mensaje",
}
# Keys a device's csv_columns may use for each logical column.
MAP_KEYS = {
    "datetime": "datetime", "timestamp": "datetime", "measured_at": "datetime",
    "date": "date", "fecha": "date",
    "time": "time", "hora": "time",
    "net": "net", "weight": "net", "net_kg": "net", "peso": "net",
    "gross": "gross", "gross_kg": "gross",
    "tare": "tare", "tare_kg": "tare",
    "moisture": "moisture", "moisture_percent": "moisture", "humidity": "moisture", "humedad": "moisture",
    "temperature": "temperature", "temperature_c": "temperature",
    "lot": "lot", "id": "id", "message_id": "id",
}  # fmt: skip
UNIT_WORDS = {"kg", "kgs", "pct", "percent", "porcentaje", "c", "degc", "grados", "ms"}


class FileRefused(Exception):
    """The file as a whole cannot be read (its header, above all); the import fails with it."""


def header_key(name: str) -> str:
    """'Humedad (%)', 'HUMEDAD', 'humedad_%' -> 'humedad': no accents, case, units or punctuation."""
    text = unicodedata.normalize("NFKD", name.replace("\ufeff", "")).encode("ascii", "ignore").decode()
    text = re.sub(r"\(.*?\)|\[.*?\]", " ", text.lower())
    words = re.sub(r"[^a-z0-9/]+", " ", text).split()
    while len(words) > 1 and words[-1] in UNIT_WORDS:
        words.pop()
    return " ".join(words)


DEFAULT_COLUMNS = {key: column for column, names in HEADER_NAMES.items() for key in names.split("|")}


@dataclass(frozen=True)
class Columns:
    """Where each logical column is in the file's rows."""

    names: list[str]
    found: dict[str, int]

    @property
    def width(self) -> int:
        return len(self.names)


def columns_match(names: list[str], column_map: dict) -> Columns:
    keys = [header_key(name) for name in names]
    found = {}
    for column, header in _mapped(column_map).items():
        if header_key(header) in keys:
            found[column] = keys.index(header_key(header))
    for index, key in enumerate(keys):
        column = DEFAULT_COLUMNS.get(key)
        if column is not None and column not in found and index not in found.values():
            found[column] = index
    columns = Columns(names=names, found=found)
    _check_columns(columns)
    return columns


def _mapped(column_map) -> dict[str, str]:
    if not isinstance(column_map, dict):
        raise FileRefused(_("The device's CSV column map is not a mapping of column to header name."))
    mapped = {}
    for key, header in column_map.items():
        column = MAP_KEYS.get(str(key).strip().lower())
        if column is None:
            raise FileRefused(
                _("The device's CSV column map names %(key)r; use one of: %(keys)s.")
                % {"key": key, "keys": ", ".join(sorted(set(MAP_KEYS.values())))}
            )
        mapped[column] = str(header)
    return mapped


def _check_columns(columns: Columns) -> None:
    found, problems = columns.found, []
    if not {"net", "gross", "moisture"} & set(found):
        problems.append(_("The header has no weight or moisture column."))
    if "datetime" not in found and "date" not in found:
        problems.append(_("The header has no date and time column."))
    if problems:
        names = ", ".join(repr(name) for name in columns.names) or "—"
        problems.append(
            _("Columns found: %(names)s. Name the others in the device's CSV column map.") % {"names": names}
        )
        raise FileRefused(" ".join(problems))


# --- reading the file -----------------------------------------------------------------------


class LineReader:
    """The file's lines decoded, counting the bytes read (the import's progress)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.bytes_read = 0

    def seek(self, offset: int) -> None:
        self.stream.seek(offset)
        self.bytes_read = offset

    def __iter__(self) -> Iterator[str]:
        readline = self.stream.readline
        while line := readline(MAX_LINE_BYTES):
            self.bytes_read += len(line)
            try:
                yield line.decode("utf-8")
            except UnicodeDecodeError:
                yield line.decode("latin-1")


def delimiter_of(header_line: str) -> str:
    return max(DELIMITERS, key=header_line.count)


@dataclass
class Header:
    columns: Columns
    delimiter: str
    line: int  # the header's line number
    end: int  # the byte offset after it


def header_read(lines: LineReader, column_map: dict) -> Header:
    skipped = 0
    for text in lines:
        text = text.lstrip("\ufeff") if skipped == 0 else text
        if text.strip():
            delimiter = delimiter_of(text)
            names = next(csv.reader([text], delimiter=delimiter))
            columns = columns_match([name.strip() for name in names], column_map)
            return Header(columns=columns, delimiter=delimiter, line=skipped + 1, end=lines.bytes_read)
        skipped += 1
    raise FileRefused(_("The file is empty: there is no header line."))


@dataclass
class Row:
    line: int
    data: dict
    raw: str  # the cells by header, and the line: a JSON object's text


def rows_read(lines: LineReader, header: Header, first_line: int) -> Iterator[Row | tuple[int, str]]:
    """Rows from where ``lines`` stands (the line after ``first_line - 1``); a row that is
    no CSV (an unclosed quote...) comes as (line, reason). Empty rows are skipped."""
    reader = csv.reader(iter(lines), delimiter=header.delimiter)
    to_row = row_converter(header.columns)
    base = first_line - 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            yield base + reader.line_num, str(error)
            continue
        if cells and "".join(cells).strip():
            yield to_row(base + reader.line_num, cells)


def row_converter(columns: Columns) -> Callable[[int, list[str]], Row]:
    """A function making a row's cells the data reading_clean takes (built once per file)."""
    values = [(VALUE_FIELDS[name], index) for name, index in columns.found.items() if name in VALUE_FIELDS]
    found, names, width = columns.found, columns.names, columns.width
    day, moment, both = found.get("date"), found.get("time"), found.get("datetime")
    zone = timezone.get_current_timezone()
    quoted = json.encoder.encode_basestring  # the C function of json.dumps; accents kept as they are
    keys = [quoted(name[:60]) + ": " for name in names]

    def convert(line: int, cells: list[str]) -> Row:
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        data = {name: cells[index] for name, index in values}
        if both is not None:
            data["measured_at"] = _moment(*_split(cells[both]), zone)
        elif moment is not None:
            data["measured_at"] = _moment(cells[day], cells[moment], zone)
        else:
            data["measured_at"] = _moment(*_split(cells[day]), zone)
        raw = ", ".join([key + quoted(cell[:500]) for key, cell in zip(keys, cells, strict=False)])
        return Row(line=line, data=data, raw=f'{{{raw}, "line": {line}}}')

    return convert


def _split(text: str) -> tuple[str, str]:
    day, _sep, moment = text.strip().replace("T", " ", 1).partition(" ")
    return day, moment


def _moment(day: str, moment: str, zone):
    """The local time of a date and a time of day; when they cannot be read here, their
    text, for reading_clean to try the other formats or to reject the row with the reason."""
    day, moment = day.strip(), moment.strip()
    if not day and not moment:
        return None
    try:
        return local_datetime(day, moment, zone)
    except ValueError:
        return f"{day} {moment}".strip()


# --- importing ------------------------------------------------------------------------------


def import_upload(*, device: Device, uploaded_file, user=None) -> ReadingImport:
    """Store an uploaded file and import it: at once when small, else by a worker."""
    size = uploaded_file.size or 0
    if size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    limit_mb = settings.IOT_CSV_MAX_MB
    if size > limit_mb * 1024 * 1024:
        raise ApplicationError(
            _("The file is larger than %(limit)d MB.") % {"limit": limit_mb},
            code="file_too_large",
            status_code=413,
        )
    name = default_storage.save(f"iot/imports/{uuid.uuid4().hex}.csv", uploaded_file)
    reading_import = ReadingImport.objects.create(
        device=device,
        created_by=user,
        file=name,
        original_name=(getattr(uploaded_file, "name", "") or name)[-255:],
        size_bytes=size,
    )
    if size <= settings.IOT_CSV_INLINE_KB * 1024:
        return import_run(reading_import)
    # By name: the task module imports this one, never the other way round.
    task = app.signature("iot.tasks.reading_import_run", args=[reading_import.pk])
    transaction.on_commit(task.delay)
    return reading_import


def import_path(*, device: Device, path: Path, user=None, progress=None) -> ReadingImport:
    """A file on this machine (the management command), imported here and now."""
    reading_import = ReadingImport.objects.create(
        device=device, created_by=user, original_name=path.name[-255:], size_bytes=path.stat().st_size
    )
    with path.open("rb") as stream:
        return import_run(reading_import, stream=stream, progress=progress)


def import_run(
    reading_import: ReadingImport,
    *,
    stream: BinaryIO | None = None,
    progress: Callable[[ReadingImport], None] | None = None,
) -> ReadingImport:
    """Import the file (from its stored copy unless ``stream`` is given), going on from its
    last committed batch. A finished import is left as it is; one already running in
    another process is left to it."""
    if reading_import.status in (ImportStatus.DONE, ImportStatus.FAILED):
        return reading_import
    with _run_lock(reading_import) as locked:
        if not locked:
            return reading_import
        reading_import.refresh_from_db()
        if reading_import.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return reading_import
        _start(reading_import)
        try:
            if stream is None:
                with default_storage.open(reading_import.file, "rb") as stored:
                    _import(reading_import, getattr(stored, "file", stored), progress)
            else:
                _import(reading_import, stream, progress)
        except FileRefused as error:
            _finish(reading_import, ImportStatus.FAILED, str(error))
        else:
            _finish(reading_import, ImportStatus.DONE)
            _discard_file(reading_import)
    return reading_import


def _discard_file(reading_import: ReadingImport) -> None:
    """A finished import's file is removed: each reading keeps its row's cells, and the
    report its rejected lines. A failed import keeps its file, to look at what went wrong."""
    if reading_import.file:
        default_storage.delete(reading_import.file)
        reading_import.file = ""
        reading_import.save(update_fields=["file"])


def import_fail(reading_import: ReadingImport, *, error: Exception) -> None:
    """An unexpected error stopped the import: say so in it (the rows stored stay)."""
    message = _("The import stopped after line %(line)d: %(error)s") % {
        "line": reading_import.lines_done,
        "error": str(error)[:500] or error.__class__.__name__,
    }
    ReadingImport.objects.filter(pk=reading_import.pk).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )
    reading_import.status, reading_import.message = ImportStatus.FAILED, message


@contextmanager
def _run_lock(reading_import: ReadingImport) -> Iterator[bool]:
    """One run of an import at a time (a Celery message handed out twice, say): a session
    lock of the database, released when the run ends or its connection goes."""
    key = f"iot-import:{connection.schema_name}:{reading_import.pk}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key])
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s))", [key])


def _start(reading_import: ReadingImport) -> None:
    reading_import.status = ImportStatus.RUNNING
    reading_import.started_at = reading_import.started_at or timezone.now()
    reading_import.save(update_fields=["status", "started_at"])


def _finish(reading_import: ReadingImport, status: str, message: str = "") -> None:
    reading_import.status, reading_import.message = status, message
    reading_import.finished_at = timezone.now()
    reading_import.save(update_fields=["status", "message", "finished_at"])


def _import(reading_import: ReadingImport, stream: BinaryIO, progress) -> None:
    device = reading_import.device
    lines = LineReader(stream)
    header = header_read(lines, device.csv_columns or {})
    first_line, done = header.line + 1, reading_import.lines_done
    if reading_import.bytes_done > header.end:  # a run before this one stored up to there
        lines.seek(reading_import.bytes_done)
        first_line = done + 1
    has_lots = "lot" in header.columns.found
    batch = Batch(device, LotFinder(device), has_lots)
    with Writer(reading_import, progress, in_thread=not has_lots) as writer:
        last, flushed = done, None
        for row in rows_read(lines, header, first_line):
            line = row.line if isinstance(row, Row) else row[0]
            if line <= done:
                continue  # stored by an earlier run (one that recorded lines, not bytes)
            batch.add(row)
            last = line
            if len(batch) >= BATCH_ROWS:
                writer.store(batch.cleaned(line, lines.bytes_read))
                flushed = lines.bytes_read
        if len(batch) or flushed != lines.bytes_read:
            writer.store(batch.cleaned(last, lines.bytes_read))


class Batch:
    """Rows read since the last batch was handed to the writer."""

    def __init__(self, device: Device, lots: LotFinder, has_lots: bool):
        self.device, self.lots, self.has_lots = device, lots, has_lots
        self.rows: list[Row] = []
        self.rejected: list[dict] = []

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejected)

    def add(self, row) -> None:
        if isinstance(row, Row):
            self.rows.append(row)
        else:
            line, reason = row
            self.rejected.append({"line": line, "errors": {"file": reason}})

    def cleaned(self, line: int, bytes_read: int) -> "Cleaned":
        if self.has_lots:
            self.lots.prefetch(row.data.get("lot") for row in self.rows)
        clean, now, rejected = [], timezone.now(), self.rejected
        for row in self.rows:
            try:
                clean.append(_row_clean(self.device, row, self.lots, now))
            except ValidationError as error:
                rejected.append({"line": row.line, "errors": error_messages(error)})
        rejected.sort(key=lambda rejection: rejection["line"])
        self.rows, self.rejected = [], []
        return Cleaned(readings=readings_prepared(clean), rejected=rejected, line=line, bytes_read=bytes_read)


@dataclass
class Cleaned:
    readings: list
    rejected: list[dict]
    line: int  # the last line read
    bytes_read: int


class Writer:
    """Stores cleaned batches, each with the import's progress in one transaction.

    In a thread of its own (sharing this thread's database connection, which this thread
    leaves alone meanwhile) when the rows name no lots: then the next batch is read and
    checked while the database inserts this one, on the machine's other core."""

    def __init__(self, reading_import: ReadingImport, progress, *, in_thread: bool):
        self.reading_import, self.progress, self.in_thread = reading_import, progress, in_thread
        self.error: BaseException | None = None

    def __enter__(self) -> "Writer":
        if self.in_thread:
            self.connection = connections[DEFAULT_DB_ALIAS]
            self.connection.inc_thread_sharing()
            self.queue: queue.Queue = queue.Queue(maxsize=1)  # two batches in memory at most
            self.thread = threading.Thread(target=self._run, name="csv-import-writer", daemon=True)
            self.thread.start()
        return self

    def store(self, cleaned: Cleaned) -> None:
        if not self.in_thread:
            return self._store(cleaned)
        if self.error is None:
            self.queue.put(cleaned)
        self._raise()

    def __exit__(self, kind, error, traceback) -> None:
        if not self.in_thread:
            return
        self.queue.put(None)
        self.thread.join()
        self.connection.dec_thread_sharing()
        if kind is None:
            self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        connections[DEFAULT_DB_ALIAS] = self.connection
        while (cleaned := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self._store(cleaned)
                except BaseException as error:  # handed to the reading thread, which raises it
                    self.error = error

    def _store(self, cleaned: Cleaned) -> None:
        reading_import, device = self.reading_import, self.reading_import.device
        readings, rejected = cleaned.readings, cleaned.rejected
        with transaction.atomic():
            _commit_without_waiting()
            added = readings_store(device=device, readings=readings, origin=Transport.CSV) if readings else []
            reading_import.added += len(added)
            reading_import.duplicates += len(readings) - len(added)
            reading_import.rejected += len(rejected)
            room = ReadingImport.REJECTED_KEPT - len(reading_import.rejections)
            if room > 0 and rejected:
                reading_import.rejections = [*reading_import.rejections, *rejected[:room]]
            reading_import.lines_done, reading_import.bytes_done = cleaned.line, cleaned.bytes_read
            reading_import.save(
                update_fields=["added", "duplicates", "rejected", "rejections", "lines_done", "bytes_done"]
            )
        if self.progress is not None:
            self.progress(reading_import)


def _commit_without_waiting() -> None:
    """The batch's commit returns before its WAL reaches the disk: a crash may lose the last
    batches, but their rows and the progress that counts them together (the run again
    redoes them), and a million rows commit a hundred times."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")


def _row_clean(device: Device, row: Row, lots: LotFinder, now):
    if row.data["measured_at"] is None:  # a file's row without a time is not "now"
        errors = {"measured_at": _("The row has no date and time.")}
        try:
            reading_clean(device, row.data, lots=lots, now=now, raw_json=row.raw)
        except ValidationError as error:
            errors = {**error_messages(error), **errors}
        raise ValidationError(errors)
    return reading_clean(device, row.data, lots=lots, now=now, raw_json=row.raw)


def report_lines(reading_import: ReadingImport, *, first: int = 10) -> list[str]:
    """The import's report as text lines (the command prints them)."""
    lines = [
        _("%(added)d added, %(duplicates)d duplicates, %(rejected)d rejected (%(lines)d lines read).")
        % {
            "added": reading_import.added,
            "duplicates": reading_import.duplicates,
            "rejected": reading_import.rejected,
            "lines": reading_import.lines_done,
        }
    ]
    for rejection in reading_import.rejections[:first]:
        reasons = "; ".join(f"{name}: {message}" for name, message in rejection["errors"].items())
        lines.append(_("  line %(line)d: %(reasons)s") % {"line": rejection["line"], "reasons": reasons})
    if reading_import.message:
        lines.append(reading_import.message)
    return lines
