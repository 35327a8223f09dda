"""python manage.py read_serial --company SLUG --device ID --port /dev/ttyUSB0 [--baud 9600 ...]"""

import signal
import threading
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from iot.models import Transport
from iot.serial_reader import (
    DEFAULT_RESOLUTION_KG,
    Frame,
    Mode,
    PortSettings,
    ReaderEvents,
    ReaderStats,
    SerialSession,
    serial_read,
    serial_session,
)
from iot.services import IngestReport, company_taking_readings
from master.companies.models import Company
from triboka.errors import ApplicationError

# The indicator's mode in the operator's words (the reading's field says it to the API).
MODE_WORDS = {Mode.GROSS: lambda: _("gross"), Mode.NET: lambda: _("net"), Mode.TARE: lambda: _("tare")}


class Command(BaseCommand):
    help = (
        "Read a weighing indicator's continuous output on a serial port (RS232, a USB adapter, or "
        "any pyserial URL such as socket://host:port) and store its stable weights as readings of "
        "the device. Lines like 'ST,GS,+  1234.5 kg' by default, or the device's own pattern. "
        "A weight is sent once when it becomes stable, again when it changes or after the scale "
        "moved or went back to zero. Reconnects when the port disappears; stops on Ctrl-C or SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--company", required=True, metavar="SLUG", help="The company's subdomain.")
        parser.add_argument("--device", required=True, type=int, metavar="ID", help="The device's id.")
        parser.add_argument("--port", required=True, help="/dev/ttyUSB0, COM3, /dev/pts/N or a pyserial URL.")
        parser.add_argument("--baud", type=int, default=9600, help="Baud rate (9600).")
        parser.add_argument("--bytesize", type=int, default=8, choices=[5, 6, 7, 8], help="Data bits (8).")
        parser.add_argument(
            "--parity", default="N", choices=["N", "E", "O", "M", "S"], help="Parity: N, E, O, M, S (N)."
        )
        parser.add_argument("--stopbits", type=float, default=1, choices=[1, 1.5, 2], help="Stop bits (1).")
        parser.add_argument(
            "--pattern",
            default=None,
            metavar="REGEX",
            help="A line pattern with a group named weight (and stability, mode, sign, unit), "
            "instead of the device's own.",
        )
        parser.add_argument("--lot", default=None, metavar="CODE", help="Assign every reading to this lot.")
        parser.add_argument(
            "--resolution",
            default=str(DEFAULT_RESOLUTION_KG),
            metavar="KG",
            help=f"A stable weight is sent again when it changes by more than this "
            f"({DEFAULT_RESOLUTION_KG}).",
        )
        parser.add_argument("--max-readings", type=int, default=None, help="Stop after this many readings.")
        parser.add_argument("--seconds", type=float, default=None, help="Stop after this many seconds.")

    def handle(self, *args, **options):
        company = self._company(options["company"])
        settings = PortSettings(
            baudrate=options["baud"],
            bytesize=options["bytesize"],
            parity=options["parity"],
            stopbits=options["stopbits"],
        )
        resolution = _resolution(options["resolution"])
        with tenant_context(company):
            session = self._session(options, resolution)
            self.stdout.write(
                _("Reading %(port)s for device %(device)s of %(company)s; Ctrl-C stops.")
                % {"port": options["port"], "device": session.device.name, "company": company.slug}
            )
            stats = self._run(session, options, settings)
        self._summary(stats)

    def _session(self, options, resolution: Decimal) -> SerialSession:
        try:
            session = serial_session(
                device_id=options["device"],
                pattern=options["pattern"],
                lot=options["lot"],
                resolution_kg=resolution,
                events=Printer(self),
            )
        except (ApplicationError, ValueError) as error:
            raise CommandError(str(error)) from error
        device = session.device
        if device.transport != Transport.SERIAL:
            self.stderr.write(
                _("Note: device %(device)s is set up for %(transport)s; its readings here are serial.")
                % {"device": device.name, "transport": device.get_transport_display()}
            )
        return session

    def _company(self, slug: str) -> Company:
        try:
            return company_taking_readings(slug)
        except ApplicationError as refused:
            raise CommandError(refused.message) from None

    def _run(self, session, options, settings) -> ReaderStats:
        """The reader, stopped cleanly by SIGTERM (a service manager) or Ctrl-C."""
        stop = threading.Event()
        previous = signal.signal(signal.SIGTERM, lambda *_args: stop.set())
        try:
            return serial_read(
                session,
                url=options["port"],
                settings=settings,
                stop=stop,
                max_readings=options["max_readings"],
                max_seconds=options["seconds"],
            )
        except KeyboardInterrupt:
            return session.stats
        except ApplicationError as error:  # the device was deactivated meanwhile
            raise CommandError(str(error)) from error
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _summary(self, stats: ReaderStats) -> None:
        self.stdout.write(
            _(
                "Stopped: %(lines)d lines, %(added)d readings added, %(duplicates)d duplicates, "
                "%(rejected)d refused, %(unreadable)d unreadable lines, %(failures)d port failures."
            )
            % {
                "lines": stats.lines,
                "added": stats.added,
                "duplicates": stats.duplicates,
                "rejected": stats.rejected,
                "unreadable": stats.frames["unreadable"],
                "failures": stats.failures,
            }
        )


class Printer(ReaderEvents):
    """Each reading sent and each connection, as the reader goes."""

    def __init__(self, command: BaseCommand):
        self.out, self.style = command.stdout, command.style

    def connected(self, url: str) -> None:
        self.out.write(self.style.SUCCESS(_("Connected to %(url)s.") % {"url": url}))

    def lost(self, url: str, error: Exception, retry_in: float) -> None:
        self.out.write(
            self.style.WARNING(
                _("%(url)s: %(error)s; reconnecting in %(seconds).1f s.")
                % {"url": url, "error": error, "seconds": retry_in}
            )
        )

    def reading(self, frame: Frame, report: IngestReport) -> None:
        values = {
            "time": timezone.localtime().strftime("%H:%M:%S"),
            "weight": frame.weight_kg.quantize(Decimal("0.01")),
            "mode": MODE_WORDS[frame.mode](),
        }
        if report.added:
            message = _("%(time)s %(weight)s kg %(mode)s: reading %(id)s") % {
                **values,
                "id": report.reading_ids[0],
            }
            self.out.write(self.style.SUCCESS(message))
        elif report.duplicates:
            self.out.write(_("%(time)s %(weight)s kg %(mode)s: already stored") % values)
        for rejection in report.rejected:
            reasons = "; ".join(rejection["errors"].values())
            self.out.write(
                self.style.ERROR(
                    _("%(time)s %(weight)s kg refused: %(reasons)s") % {**values, "reasons": reasons}
                )
            )


def _resolution(text: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = Decimal("-1")
    if not value.is_finite() or value < 0:
        raise CommandError(_("--resolution must be a weight in kg, e.g. 0.1."))
    return value
