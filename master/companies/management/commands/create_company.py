from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from master.companies.models import CompanyKind
from master.companies.services import company_provision
from master.licensing.models import LicenseType


class Command(BaseCommand):
    help = (
        "Create a company: its schema, subdomain, license and first administrator. "
        "Prints the company URL and the administrator's credentials or a one-time "
        "set-password link."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True, help="Subdomain: lowercase letters, digits, hyphens.")
        parser.add_argument("--ruc", required=True, help="Ecuadorian RUC, 13 digits.")
        parser.add_argument("--kind", required=True, choices=CompanyKind.values)
        parser.add_argument("--license", required=True, choices=LicenseType.values, dest="license_type")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument(
            "--admin-password",
            default=None,
            help="Without it, a one-time link to set the password is printed and e-mailed.",
        )
        parser.add_argument("--admin-name", default="")

    def handle(self, *args, **options):
        try:
            result = company_provision(
                name=options["name"],
                slug=options["slug"],
                ruc=options["ruc"],
                kind=options["kind"],
                license_type=options["license_type"],
                admin_email=options["admin_email"],
                admin_password=options["admin_password"],
                admin_full_name=options["admin_name"],
                migrate_template_if_behind=True,
            )
        except ValidationError as error:
            lines = [
                f"  --{field.replace('_', '-')}: {' '.join(messages)}"
                for field, messages in error.message_dict.items()
            ]
            raise CommandError("The company was not created:\n" + "\n".join(lines)) from error
        company = result.company
        self.stdout.write(self.style.SUCCESS(f"Created {company.name} ({company.get_kind_display()})"))
        self.stdout.write(f"  URL:      {company.url}")
        self.stdout.write(f"  License:  {result.license.code} ({result.license.get_type_display()})")
        self.stdout.write(f"  Admin:    {result.admin_email}")
        if result.set_password_url:
            self.stdout.write(f"  Set the password (one-time link): {result.set_password_url}")
        else:
            self.stdout.write("  Password: the one given with --admin-password")
