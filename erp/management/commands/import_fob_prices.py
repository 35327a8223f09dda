"""python manage.py import_fob_prices FILE_OR_URL [--column-map ...] [--source ...] [--company ...]"""

import http.client
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from erp.market.fob_import import COLUMNS, FobImportError, ImportReport, fob_decode, fob_import
from master.companies.models import Company

URL_TIMEOUT_SECONDS = 30
MAX_BYTES = 10 * 1024 * 1024  # a monthly price series is a few kilobytes


class Command(BaseCommand):
    help = (
        "Import monthly FOB reference prices (USD/TM) from a CSV file or an http(s) URL into one "
        "company (--company) or into every company. Rows are keyed on (year, month, source): "
        "importing the same file again changes nothing. Decimal comma or point, comma or semicolon "
        "between columns, UTF-8 or Latin-1."
    )

    def add_arguments(self, parser):
        parser.add_argument("location", metavar="FILE_OR_URL", help="A CSV file or an http(s) URL.")
        parser.add_argument(
            "--column-map",
            default="",
            help="Headers of the columns not named year, month, price, source; "
            "e.g. year=Año,month=Mes,price=Precio,source=Fuente",
        )
        parser.add_argument("--source", default=None, help="Source for rows that name none.")
        parser.add_argument("--company", default=None, metavar="SLUG", help="Only this company.")

    def handle(self, *args, **options):
        column_map = parse_column_map(options["column_map"])
        companies = self._companies(options["company"])
        text = fob_decode(read_location(options["location"]))
        for company in companies:
            try:
                with tenant_context(company):
                    report = fob_import(text, column_map=column_map, default_source=options["source"])
            except FobImportError as error:
                raise CommandError(str(error)) from error
            self._print(company, report)

    def _companies(self, slug: str | None) -> list[Company]:
        if slug is None:
            return list(Company.objects.active())  # suspended companies are left as they are
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandError(_("No company has the subdomain %(slug)r.") % {"slug": slug})
        return [company]

    def _print(self, company: Company, report: ImportReport) -> None:
        counts = {"added": report.added, "updated": report.updated, "unchanged": report.unchanged}
        message = _(
            "%(company)s: %(added)d added, %(updated)d updated, %(unchanged)d unchanged, "
            "%(rejected)d rejected"
        )
        summary = message % {
            "company": f"{company.name} ({company.slug})",
            "rejected": len(report.rejected),
            **counts,
        }
        style = self.style.WARNING if report.rejected else self.style.SUCCESS
        self.stdout.write(style(summary))
        for line, reason in report.rejected:
            self.stdout.write(_("  line %(line)d: %(reason)s") % {"line": line, "reason": reason})


def parse_column_map(value: str) -> dict[str, str]:
    """'year=Año,month=Mes' -> {"year": "Año", "month": "Mes"}."""
    column_map = {}
    for pair in filter(None, (part.strip() for part in value.split(","))):
        column, _sep, header = (text.strip() for text in pair.partition("="))
        if column not in COLUMNS or not header:
            raise CommandError(
                _("--column-map: %(pair)r should be COLUMN=HEADER with COLUMN one of %(columns)s.")
                % {"pair": pair, "columns": ", ".join(COLUMNS)}
            )
        column_map[column] = header
    return column_map


def read_location(location: str) -> bytes:
    if location.startswith(("http://", "https://")):
        try:
            with urllib.request.urlopen(location, timeout=URL_TIMEOUT_SECONDS) as response:  # noqa: S310
                data = response.read(MAX_BYTES + 1)
        except (OSError, ValueError, http.client.HTTPException) as error:  # URLError is an OSError
            raise CommandError(
                _("Could not read %(url)s: %(error)s") % {"url": location, "error": error}
            ) from error
    else:
        try:
            data = Path(location).read_bytes()
        except OSError as error:
            raise CommandError(
                _("Could not read %(path)s: %(error)s") % {"path": location, "error": error.strerror}
            ) from error
    if len(data) > MAX_BYTES:
        raise CommandError(
            _("%(location)s is larger than %(mb)d MB.") % {"location": location, "mb": MAX_BYTES >> 20}
        )
    return data
