"""Text search configurations that ignore accents: public.spanish_unaccent and
public.english_unaccent, copies of the built-in ones whose words go through the ``unaccent``
dictionary before the stemmer, so "fermentacion" finds "fermentación".

The embedded PostgreSQL of `make run` (pgserver) ships without the unaccent extension: there
the configurations are plain copies, and the services fold accents in Python before the text
reaches PostgreSQL, so search answers the same on both.
"""

from django.db import migrations

CONFIGS = (("spanish_unaccent", "spanish", "spanish_stem"), ("english_unaccent", "english", "english_stem"))


def create_configurations(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'unaccent'")
        unaccent = cursor.fetchone() is not None
        if unaccent:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public")
            cursor.execute(  # where it is, if it was there before
                "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
                " WHERE e.extname = 'unaccent'"
            )
            unaccent_schema = cursor.fetchone()[0]
        for name, base, stemmer in CONFIGS:
            cursor.execute(
                "SELECT 1 FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace"
                " WHERE n.nspname = 'public' AND c.cfgname = %s",
                [name],
            )
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE TEXT SEARCH CONFIGURATION public.{name} (COPY = pg_catalog.{base})")
            if unaccent:
                cursor.execute(
                    f"ALTER TEXT SEARCH CONFIGURATION public.{name}"
                    f" ALTER MAPPING FOR hword, hword_part, word WITH {unaccent_schema}.unaccent, pg_catalog.{stemmer}"
                )


def drop_configurations(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for name, _base, _stemmer in CONFIGS:
            cursor.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS public.{name}")


class Migration(migrations.Migration):
    dependencies = [("support_knowledge", "0001_initial")]

    operations = [migrations.RunPython(create_configurations, drop_configurations, elidable=False)]
