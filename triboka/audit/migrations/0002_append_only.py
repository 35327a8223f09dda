"""Audit events are append-only in the database itself, not only in the code: a trigger
refuses UPDATE and DELETE on the table (INSERT, and the COPY of a restore, go through).

This migration runs in the public schema and in every company schema (the app is in both
app lists); the function is created in each schema it runs in, so a schema carries its own
copy into the template snapshot new companies are made from and into its backups. DROP
SCHEMA (deleting a company) and TRUNCATE (the test runner's flush) are not row operations
and are not blocked.
"""

from django.db import migrations

CREATE = """
CREATE FUNCTION audit_event_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
