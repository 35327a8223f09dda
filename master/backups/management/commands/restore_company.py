from django.core.management.base import BaseCommand, CommandError

from master.backups import services
from master.backups.archive import ArchiveError
from master.companies.pgdump import PgDumpError


class Command(BaseCommand):
    help = (
        "Restore a company from a backup archive (a file, or a name in the backup storage), into "
        "this database or an empty one. Row counts and checksums are checked against the "
        "archive's manifest before anything is replaced."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE")
        parser.add_argument("--as", dest="as_slug", metavar="NEW_SLUG", help="Restore as a new company.")
        parser.add_argument("--ruc", help="The RUC of the new company, when the original's is taken.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the data of the existing company of that subdomain."
        )

    def handle(self, *args, archive, as_slug, ruc, force, **options):
        try:
            result = services.backup_restore(
                source=archive, as_slug=as_slug, ruc=ruc, force=force, progress=self.stdout.write
            )
        except (services.RestoreError, ArchiveError, PgDumpError) as error:
            raise CommandError(str(error)) from error
        company = result.company
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {company.name} as {company.slug} ({company.url}): {result.tables} tables, "
                f"{result.rows} rows and {result.files} files, matching the backup"
                + ("; migrated to this version" if result.migrated else "")
                + "."
            )
        )
