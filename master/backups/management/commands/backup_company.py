from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from master.backups import services
from master.backups.models import BackupStatus
from master.companies.models import Company


class Command(BaseCommand):
    help = (
        "Back up companies now: each one's schema (pg_dump), files and a manifest with row counts "
        "and checksums, as one archive in the backup storage. --all backs up every active company "
        "in chunks, as the daily job does."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Subdomains of the companies.")
        parser.add_argument(
            "--all", action="store_true", help="Every active company (today's daily backups)."
        )

    def handle(self, *args, slugs, all, **options):
        if bool(slugs) == all:
            raise CommandError("Name the companies to back up, or use --all.")
        if all:
            ids = services.daily_backups_request()
        else:
            ids = [
                services.backup_request(company=self._company(slug), requested_by="manage.py").pk
                for slug in slugs
            ]
        failed = 0
        for number, chunk in enumerate(services.chunks(ids, settings.BACKUP_CHUNK_SIZE), start=1):
            self.stdout.write(f"chunk {number}: {len(chunk)} companies")
            for backup in services.backups_run(chunk, progress=lambda line: self.stdout.write(f"  {line}")):
                if backup.status != BackupStatus.DONE:
                    failed += 1
                    self.stderr.write(f"  {backup.company_slug}: FAILED: {backup.error}")
        if failed:
            raise CommandError(f"{failed} of {len(ids)} backups failed.")
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} backups written."))

    @staticmethod
    def _company(slug: str) -> Company:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandError(f"No company with the subdomain {slug!r}.")
        return company
