import json
import tarfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from master.backups import services as backups
from master.backups.archive import MANIFEST, ArchiveError
from master.companies.pgdump import PgDumpError
from master.licensing.files import installed_license_file, license_file_mirror


class Command(BaseCommand):
    help = (
        "On an on-premise installation: install a company from its backup archive (backup_company on "
        "the SaaS) into this database, after checking that this installation's license file "
        "(TRIBOKA_LICENSE_FILE) is for that company (subdomain and RUC). The company's license here "
        "becomes the file's. The restore is checked row by row against the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", help="The backup archive (.tar) of the company.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the company's data if it is already here."
        )

    def handle(self, *args, archive, force, **options):
        license_file = installed_license_file()
        if license_file is None:
            raise CommandError(
                "TRIBOKA_LICENSE_FILE is not set: an on-premise installation runs the company of its "
                "license file. Use restore_company to restore a backup without one."
            )
        source = self._archive_company(Path(archive))
        if (source["slug"], source["ruc"]) != (license_file.company_slug, license_file.company_ruc):
            raise CommandError(
                f"The archive holds the company {source['slug']} (RUC {source['ruc']}); the license file "
                f"is for {license_file.company_slug} (RUC {license_file.company_ruc})."
            )
        try:
            result = backups.backup_restore(source=archive, force=force, progress=self.stdout.write)
        except (backups.RestoreError, ArchiveError, PgDumpError) as error:
            raise CommandError(str(error)) from error
        license = license_file_mirror(company=result.company, license_file=license_file)
        self.stdout.write(
            self.style.SUCCESS(
                f"Installed {result.company.name} ({result.company.url}): {result.tables} tables, "
                f"{result.rows} rows and {result.files} files matching the backup; license {license.code} "
                f"from the file, expires {license.expires_on or 'never'}."
            )
        )

    @staticmethod
    def _archive_company(path: Path) -> dict:
        """The company named in the archive's manifest, read before anything is restored."""
        if not path.is_file():
            raise CommandError(f"No archive at {path}.")
        try:
            with tarfile.open(path, "r") as tar, tar.extractfile(MANIFEST) as manifest:
                return json.loads(manifest.read())["company"]
        except (tarfile.TarError, KeyError, ValueError, TypeError, AttributeError) as error:
            raise CommandError(f"{path} is not a Triboka company backup ({error}).") from error
