"""python manage.py import_readings FILE --device ID --company SLUG"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from iot.csv_import import import_path, report_lines
from iot.models import Device, ImportStatus
from iot.services import company_taking_readings
from triboka.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import a CSV file of readings (a Siemens scale terminal's or PLC's export) for one device "
        "of one company, here and now (no worker needed). Semicolon, comma or tab between columns, "
        "decimal comma or point, UTF-8 or Latin-1; the columns are found by their header (the "
        "device's CSV column map first). Rows already stored are counted as duplicates; bad rows are "
        "reported with their line and reason, the others kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The CSV file.")
        parser.add_argument("--device", required=True, type=int, metavar="ID", help="The device's id.")
        parser.add_argument(
            "--company", required=True, metavar="SLUG", help="The company's subdomain (its slug)."
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            company = company_taking_readings(options["company"])
        except ApplicationError as refused:
            raise CommandError(refused.message) from None
        with tenant_context(company):
            device = Device.objects.filter(pk=options["device"]).first()
            if device is None or not device.is_active:
                raise CommandError(
                    _("%(company)s has no active device %(id)d.")
                    % {"company": company.slug, "id": options["device"]}
                )
            started = time.monotonic()
            reading_import = import_path(device=device, path=path, progress=self._progress(started))
        style = self.style.SUCCESS if reading_import.status == ImportStatus.DONE else self.style.ERROR
        lines = report_lines(reading_import)
        self.stdout.write(style(f"{device.name}: {lines[0]} ({_elapsed(started)})"))
        for line in lines[1:]:
            self.stdout.write(line)
        if reading_import.status == ImportStatus.FAILED:
            raise CommandError(reading_import.message)

    def _progress(self, started: float):
        def show(reading_import) -> None:
            if reading_import.size_bytes > 1 << 20:  # a small file needs no progress
                self.stdout.write(
                    f"[{reading_import.lines_done:,} lines] {_elapsed(started)} "
                    f"({reading_import.progress_percent}%)"
                )

        return show


def _elapsed(started: float) -> str:
    seconds = int(time.monotonic() - started)
    return f"{seconds // 60}:{seconds % 60:02d}"
