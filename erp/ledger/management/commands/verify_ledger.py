"""``manage.py verify_ledger [COMPANY]``: checks each company's traceability chain."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django_tenants.utils import get_public_schema_name, tenant_context

from erp.ledger.services import ledger_verify
from master.companies.models import Company

PROGRESS_EVERY_SECONDS = 2.0


class Command(BaseCommand):
    help = (
        "Verify the tamper-evident traceability ledger of one company (its subdomain) or of every "
        "company: prints 'ok, N entries' or the first broken link (sequence and reason) per "
        "company, and exits with status 1 when any chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("company", nargs="?", help="The company's subdomain (default: every company).")

    def handle(self, *args, **options):
        companies = Company.objects.exclude(schema_name=get_public_schema_name()).order_by("slug")
        if options["company"]:
            companies = companies.filter(slug=options["company"])
            if not companies.exists():
                raise CommandError(f"No company with the subdomain {options['company']!r}.")
        broken = [company.slug for company in companies if not self._verify(company)]
        connection.set_schema_to_public()
        if broken:
            raise CommandError(f"Broken ledger in: {', '.join(broken)}", returncode=1)

    def _verify(self, company) -> bool:
        started = last_shown = time.monotonic()

        def progress(count: int) -> None:
            nonlocal last_shown
            now = time.monotonic()
            if now - last_shown >= PROGRESS_EVERY_SECONDS:
                last_shown = now
                rate = count / (now - started)
                self.stderr.write(f"{company.slug}: {count:,} entries verified ({rate:,.0f}/s)…")

        with tenant_context(company):
            report = ledger_verify(progress=progress)
        if report.intact:
            self.stdout.write(self.style.SUCCESS(f"{company.slug}: ok, {report.entries} entries"))
            return True
        first = report.first_break
        self.stdout.write(
            self.style.ERROR(
                f"{company.slug}: BROKEN at entry #{first.seq} ({first.reason}): {first.message}"
            )
        )
        return False
