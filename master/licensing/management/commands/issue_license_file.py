import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from master.companies.models import Company
from master.licensing.files import LicenseFileError, license_file_issue


class Command(BaseCommand):
    help = (
        "Write the license file of a company's on-premise (vps) license in force, signed with the "
        "platform's Ed25519 key (TRIBOKA_LICENSE_SIGNING_KEY): company, modules, limits and dates. "
        "An installation runs that company with it (TRIBOKA_LICENSE_FILE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("company", metavar="COMPANY", help="The company's subdomain.")
        parser.add_argument("out", metavar="OUT", help="The file to write (JSON).")
        parser.add_argument("--force", action="store_true", help="Replace OUT if it exists.")

    def handle(self, *args, company, out, force, **options):
        found = Company.objects.filter(slug=company).first()
        if found is None:
            raise CommandError(f"No company with the subdomain {company!r}.")
        destination = Path(out)
        if not destination.parent.is_dir():
            raise CommandError(f"The folder {destination.parent} does not exist.")
        if destination.exists() and not force:
            raise CommandError(f"{destination} exists; add --force to replace it.")
        try:
            document = license_file_issue(company=found)
        except LicenseFileError as error:
            raise CommandError(str(error)) from error
        destination.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        payload = document["payload"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {destination}: license {payload['code']} of {found.name} ({found.slug}), "
                f"modules {', '.join(payload['modules']) or 'none'}, "
                f"expires {payload['expires_on'] or 'never'}, signed by key {payload['key_id']}."
            )
        )
