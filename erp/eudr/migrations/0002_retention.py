"""Five years of records (EUDR Art. 12(3)) kept by the database itself: a plot or an evidence
file still within its ``retain_until`` cannot be deleted, whatever deletes it (the admin, a
script, a cascade)."""

from django.db import migrations

CREATE = """
CREATE FUNCTION eudr_refuse_early_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.retain_until IS NOT NULL AND OLD.retain_until >= current_date THEN
        RAISE EXCEPTION 'EUDR records are kept until %: DELETE on %.% refused',
            OLD.retain_until, TG_TABLE_SCHEMA, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER eudr_plot_retention BEFORE DELETE ON eudr_plot
    FOR EACH ROW EXECUTE FUNCTION eudr_refuse_early_delete();
CREATE TRIGGER eudr_plotevidence_retention BEFORE DELETE ON eudr_plotevidence
    FOR EACH ROW EXECUTE FUNCTION eudr_refuse_early_delete();
"""

DROP = """
DROP TRIGGER IF EXISTS eudr_plot_retention ON eudr_plot;
DROP TRIGGER IF EXISTS eudr_plotevidence_retention ON eudr_plotevidence;
DROP FUNCTION IF EXISTS eudr_refuse_early_delete();
"""


class Migration(migrations.Migration):
    dependencies = [("eudr", "0001_initial")]

    operations = [migrations.RunSQL(CREATE, DROP)]
