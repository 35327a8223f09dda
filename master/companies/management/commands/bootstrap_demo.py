from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from erp.demo import demo_erp_populate
from master.companies.demo_data import DEMO_COMPANIES, DEMO_PASSWORD, MASTER_EMAIL
from master.companies.models import Company
from master.companies.services import company_provision
from master.companies.template import template_ensure
from support.knowledge.demo import knowledge_demo_populate
from triboka.accounts.models import User


class Command(BaseCommand):
    help = "Create (or reuse) the tenant template, the master admin and two demo companies."

    def handle(self, *args, **options):
        if template_ensure(verbosity=0):
            self.stdout.write("Tenant template schema created/migrated.")
        self._master_admin()
        if created := knowledge_demo_populate():
            self.stdout.write(f"{created} help centre articles added.")
        for slug, name, ruc, kind, admin_email, email_domain in DEMO_COMPANIES:
            self._company(slug, name, ruc, kind, admin_email, email_domain)

    def _master_admin(self):
        if not User.objects.filter(email=MASTER_EMAIL).exists():
            User.objects.create_superuser(MASTER_EMAIL, DEMO_PASSWORD, full_name="Triboka Admin")
            self.stdout.write(f"Master admin created: {MASTER_EMAIL}")

    def _company(self, slug, name, ruc, kind, admin_email, email_domain):
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            company = company_provision(
                name=name,
                slug=slug,
                ruc=ruc,
                kind=kind,
                license_type="saas",
                admin_email=admin_email,
                admin_password=DEMO_PASSWORD,
                migrate_template_if_behind=True,
            ).company
            self.stdout.write(f"Demo company created: {company.url}")
        with tenant_context(company):
            if demo_erp_populate(company=company, password=DEMO_PASSWORD, email_domain=email_domain):
                self.stdout.write(f"Demo ERP data added to {company.name}.")
