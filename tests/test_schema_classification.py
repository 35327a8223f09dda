"""Every installed model is deliberately placed: public schema, company schemas, or both.

Adding a model means adding it here on purpose; a model in the wrong app list would
otherwise land in the wrong schema and be painful to move.
"""

from django.apps import apps
from django.db import connection

SHARED = {
    "companies.company",
    "companies.domain",
    "companies.userdirectoryentry",
    "companies.templatesnapshot",
    "licensing.license",
    "backups.backup",
    "platform.systemsettings",
    "billing.invoice",
    "billing.invoicesequence",
    "billing.payment",
    "billing.reminder",
    "metering.endpointusagedaily",
    "metering.companyusagedaily",
    "metering.flushedminute",
    "analytics.companyfacts",
    "reports.report",
    "reports.reportschedule",
    "webhooks.subscription",
    "webhooks.delivery",
    "instances.instance",
    "django_celery_beat.periodictask",
    "django_celery_beat.periodictasks",
    "django_celery_beat.crontabschedule",
    "django_celery_beat.intervalschedule",
    "django_celery_beat.solarschedule",
    "django_celery_beat.clockedschedule",
    "support_tickets.ticket",
    "support_tickets.ticketmessage",
    "support_tickets.ticketattachment",
    "support_tickets.ticketsequence",
    "support_tickets.cannedreply",
    "support_tickets.satisfactionresponse",
    "support_knowledge.article",
    "support_knowledge.articleversion",
    "support_knowledge.articlevote",
    "support_remote.remoteaccessgrant",
    "support_remote.supportagent",
    "support_livechat.chat",
    "support_livechat.chatmessage",
}
TENANT = {
    "partners.partner",
    "partners.membership",
    "contracts.contract",
    "contracts.codesequence",
    "lots.lot",
    "lots.lotevent",
    "chat.chatroom",
    "notifications.notification",
    "notifications.notificationpreference",
    "notifications.device",
    "chat.chatmessage",
    "chat.chatreadmark",
    "documents.document",
    "documents.documentaccess",
    "calculator.calculation",
    "market.demand",
    "market.fobprice",
    "iot.device",
    "iot.reading",
    "iot.deviceerror",
    "iot.readingimport",
    "iot.iotsettings",
    "ledger.ledgerentry",
    "reception.receptionsettings",
    "reception.reception",
    "quality.qualityanalysis",
    "quality.analysisphoto",
    "quality.contractqualityterms",
    "quality.certificate",
    "processing.fermentationbatch",
    "processing.fermentationturn",
    "processing.dryingrun",
    "processing.dryingreading",
    "inventory.warehouse",
    "inventory.stockbalance",
    "inventory.stockmovement",
    "ledger.verificationcode",
    "lots.lotlink",
    "eudr.plot",
    "eudr.plotevidence",
    "export.salescontract",
    "export.shipment",
    "export.container",
    "export.containerlot",
    "export.shipmentdocument",
    "export.duediligencestatement",
    "finance.cost",
    "finance.supplierpayment",
    "finance.buyerpayment",
}
BOTH = {
    "accounts.user",
    "audit.auditevent",
    "auth.group",
    "auth.permission",
    "contenttypes.contenttype",
    "sessions.session",
    "admin.logentry",
    "token_blacklist.outstandingtoken",
    "token_blacklist.blacklistedtoken",
}


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def installed_models() -> dict[str, str]:
    return {
        model._meta.label_lower: model._meta.db_table
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def test_every_model_is_classified():
    unclassified = set(installed_models()) - SHARED - TENANT - BOTH
    assert not unclassified, f"classify these models as shared, tenant or both: {sorted(unclassified)}"


def test_no_classification_names_a_model_that_is_gone():
    assert not (SHARED | TENANT | BOTH) - set(installed_models())


def test_each_model_has_its_table_exactly_where_it_is_classified(company_a):
    public, company = tables_in("public"), tables_in(company_a.schema_name)
    for label, table in installed_models().items():
        in_public, in_company = table in public, table in company
        expected = (label in SHARED | BOTH, label in TENANT | BOTH)
        assert (in_public, in_company) == expected, f"{label}: public={in_public} company={in_company}"
