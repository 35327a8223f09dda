from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from erp.portability import company_export
from master.companies.models import Company


class Command(BaseCommand):
    help = (
        "Export one company's ERP to a zip: every record as JSON (soft-deleted rows included), "
        "the documents' files and a manifest with counts and checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The company's subdomain.")
        parser.add_argument("out", help="The zip file to write.")

    def handle(self, *args, **options):
        company = Company.objects.filter(slug=options["slug"]).first()
        if company is None:
            raise CommandError(f"No company with the subdomain {options['slug']!r}.")
        destination = Path(options["out"])
        if not destination.parent.exists():
            raise CommandError(f"The folder {destination.parent} does not exist.")
        manifest = company_export(company=company, destination=destination, progress=self.stdout.write)
        total = sum(manifest["records"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {company.name}: {total} records and "
                f"{len(manifest['documents'])} documents to {destination}"
            )
        )
