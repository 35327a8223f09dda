import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import tenant_context

from erp.lots.services import lot_delete


def test_export_writes_every_record_and_keeps_soft_deleted_ones(erp_a, erp_b, tmp_path):
    with tenant_context(erp_a.company):
        lot_delete(lot=erp_a.lots["supplier2"], user=erp_a.users["admin"])
    out = tmp_path / "alpha.zip"
    call_command("export_company", "alpha", str(out), stdout=StringIO())
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        lots = json.loads(archive.read("records/lots.lot.json"))
        partners = json.loads(archive.read("records/partners.partner.json"))
        users = json.loads(archive.read("records/accounts.user.json"))
    assert manifest["company"]["slug"] == "alpha"
    assert manifest["records"]["lots.lot"] == 3 == len(lots)
    deleted = [lot for lot in lots if lot["fields"]["deleted_at"]]
    assert [lot["fields"]["code"] for lot in deleted] == [erp_a.lots["supplier2"].code]
    assert {p["fields"]["name"] for p in partners} >= {"A Centro de Acopio"}
    assert not any(p["fields"]["name"].startswith("B ") for p in partners)  # nothing of company B
    assert all("password" not in user for user in users)


def test_export_of_an_unknown_company_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="nope"):
        call_command("export_company", "nope", str(tmp_path / "x.zip"), stdout=StringIO())
