"""A due diligence statement is kept as it was handed over, five years (EUDR Art. 12(3)):
the database refuses any UPDATE, and a DELETE before ``retain_until``."""

from django.db import migrations

CREATE = """
CREATE FUNCTION export_statement_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' OR OLD.retain_until >= current_date THEN
        RAISE EXCEPTION 'due diligence statements are kept unchanged until %: % on %.% refused',
            OLD.retain_until, TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER export_statement_kept BEFORE UPDATE OR DELETE ON export_duediligencestatement
    FOR EACH ROW EXECUTE FUNCTION export_statement_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS export_statement_kept ON export_duediligencestatement;
DROP FUNCTION IF EXISTS export_statement_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("export", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
