"""Licenses that include lots get the ERP's operations modules (reception, quality,
processing, inventory): until these existed, receiving, grading and storing lots was part of
working with lots, so a company keeps what it could do."""

from django.db import migrations

OPERATIONS = ["reception", "quality", "processing", "inventory"]


def add_operations(apps, schema_editor):
    License = apps.get_model("licensing", "License")
    for license in License.objects.filter(modules__contains=["lots"]):
        license.modules = [*license.modules, *(m for m in OPERATIONS if m not in license.modules)]
        license.save(update_fields=["modules"])


class Migration(migrations.Migration):
    dependencies = [("licensing", "0002_license_terms")]

    operations = [migrations.RunPython(add_operations, migrations.RunPython.noop)]
