import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django_tenants.utils import schema_context, schema_exists

from master.companies import services
from master.companies.models import Company, Domain, UserDirectoryEntry
from master.companies.services import company_provision
from master.companies.template import PLACEHOLDER, template_schema, template_sql
from master.licensing.codes import license_code_is_valid
from master.licensing.models import License
from tests.conftest import COMPANY_A, COMPANY_B, PASSWORD, web_client
from triboka.accounts.models import Role, User

GOOD = dict(
    name="Gamma Cacao",
    slug="gamma",
    ruc="1700000001001",
    kind="exporter",
    license_type="saas",
    admin_email="Owner@Gamma.test",
)


def provision(**overrides):
    return company_provision(**{**GOOD, **overrides})


def state() -> tuple:
    """Everything provisioning could leave behind."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_agg(nspname ORDER BY nspname) FROM pg_namespace")
        schemas = cursor.fetchone()[0]
    return (
        Company.objects.count(),
        Domain.objects.count(),
        License.objects.count(),
        UserDirectoryEntry.objects.count(),
        schemas,
    )


def test_it_creates_schema_domain_license_and_admin(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = provision(admin_password=PASSWORD)

    company = result.company
    assert schema_exists("gamma")
    assert Domain.objects.get(tenant=company).domain == "gamma.localhost"
    license = License.objects.get(company=company)
    assert license.type == "saas" and license_code_is_valid(license.code)
    with schema_context("gamma"):
        admin = User.objects.get()
        assert admin.email == "owner@gamma.test"
        assert admin.role == Role.ADMIN and admin.is_staff
        assert admin.check_password(PASSWORD)
    assert UserDirectoryEntry.objects.filter(company=company, email="owner@gamma.test").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@gamma.test"]
    assert "http://gamma.localhost:8000/accounts/login/" in mail.outbox[0].body


def test_new_schema_starts_empty_with_sequences_at_one(db):
    provision(admin_password=PASSWORD)
    with schema_context("gamma"):
        assert list(User.objects.values_list("pk", flat=True)) == [1]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 0  # migration state came along


def test_the_replayed_sql_never_names_the_template(db):
    sql = template_sql()
    assert PLACEHOLDER in sql
    assert f'"{template_schema()}"' not in sql  # pg_dump's "-- Schema:" comments may remain


def test_without_password_the_admin_gets_a_one_time_set_password_link(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = provision()
    assert result.set_password_url.startswith("http://gamma.localhost:8000/accounts/set-password/")
    assert result.set_password_url in mail.outbox[0].body

    client = web_client("gamma.localhost")
    path = result.set_password_url.split(":8000", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert done.status_code == 302
    assert client.login(email="owner@gamma.test", password=PASSWORD) is not None
    again = web_client("gamma.localhost").get(path, follow=True)
    assert not again.context["validlink"]


def test_it_undoes_everything_when_a_late_step_fails(db, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr(services, "user_create", explode)
    before = state()
    with pytest.raises(RuntimeError):
        provision()
    assert state() == before
    assert not schema_exists("gamma")


BAD_INPUTS = [
    ("slug", {"slug": COMPANY_A.slug}),
    ("ruc", {"ruc": COMPANY_B.ruc}),
    ("slug", {"slug": "public"}),
    ("slug", {"slug": "www"}),
    ("slug", {"slug": "admin"}),
    ("slug", {"slug": "api"}),
    ("slug", {"slug": "Gamma"}),
    ("slug", {"slug": "g" * 64}),
    ("slug", {"slug": "-gamma"}),
    ("slug", {"slug": "gam_ma"}),
    ("ruc", {"ruc": "170000000100"}),
    ("ruc", {"ruc": "9900000001001"}),
    ("ruc", {"ruc": "1700000002001"}),
    ("ruc", {"ruc": "17000000010A1"}),
    ("admin_email", {"admin_email": "not-an-email"}),
    ("license_type", {"license_type": "forever"}),
    ("kind", {"kind": "pirate"}),
]


@pytest.mark.parametrize(("field", "override"), BAD_INPUTS)
def test_bad_input_is_refused_with_a_field_error_and_creates_nothing(db, field, override):
    before = state()
    with pytest.raises(ValidationError) as error:
        provision(**override)
    assert field in error.value.message_dict
    assert state() == before


def test_ruc_errors_say_which_part_is_wrong(db):
    messages = {}
    for label, ruc in [("length", "170000000100"), ("province", "9900000001001"), ("check", "1700000002001")]:
        with pytest.raises(ValidationError) as error:
            provision(ruc=ruc)
        messages[label] = " ".join(error.value.message_dict["ruc"])
    assert "13" in messages["length"]
    assert "99" in messages["province"]
    assert "verificador" in messages["check"] or "check digit" in messages["check"]


def test_all_problems_are_reported_at_once(db):
    with pytest.raises(ValidationError) as error:
        provision(slug="API", ruc="123", admin_email="nope")
    assert {"slug", "ruc", "admin_email"} <= set(error.value.message_dict)


def pretend_the_code_has_a_new_migration(monkeypatch):
    from master.companies import template

    known = template._code_leaf_migrations()
    monkeypatch.setattr(template, "_code_leaf_migrations", lambda: known | {("erp", "0001_initial")})


def test_a_command_migrates_a_stale_template_before_copying_it(db, monkeypatch):
    from master.companies import template

    pretend_the_code_has_a_new_migration(monkeypatch)
    migrated = []
    monkeypatch.setattr(template, "template_ensure", lambda **kwargs: migrated.append(True))
    template.template_sql(migrate_if_behind=True)
    assert migrated


def test_a_web_request_does_not_migrate_a_stale_template(staff_api, monkeypatch):
    pretend_the_code_has_a_new_migration(monkeypatch)
    before = state()
    response = staff_api.post("/api/master/companies/", {**GOOD, "admin_email": "o@g.test"}, format="json")
    assert response.status_code == 409
    assert "migrate_schemas" in response.json()["detail"]
    assert state() == before


def test_a_new_migration_state_takes_a_new_snapshot(db, monkeypatch):
    from master.companies import template

    template.template_sql()
    taken = []
    monkeypatch.setattr(template, "_snapshot_store", lambda fingerprint: taken.append(fingerprint) or "SQL")
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{template_schema()}".django_migrations (app, name, applied) '
            "VALUES ('erp', '0001_initial', now())"
        )
    monkeypatch.setattr(template, "_code_leaf_migrations", lambda: frozenset())
    assert template.template_sql() == "SQL"
    assert len(taken) == 1


def test_a_schema_copy_keeps_data_that_looks_like_sql(django_db_blocker):
    """Multi-line values whose lines start like comments or SET statements, a function
    body, a sequence: all come through a dump and replay under a new name unchanged."""
    from master.companies.template import schema_create_from_template, schema_drop, schema_sql

    tricky = "line one\n-- not a comment\nSET x = 1;\n\\restrict nothing"
    with django_db_blocker.unblock():
        try:
            with connection.cursor() as cursor:
                cursor.execute('CREATE SCHEMA "zz_source"')
                cursor.execute('CREATE TABLE "zz_source".notes (id serial PRIMARY KEY, body text)')
                cursor.execute('INSERT INTO "zz_source".notes (body) VALUES (%s)', [tricky])
                cursor.execute(
                    'CREATE FUNCTION "zz_source".twice(n int) RETURNS int LANGUAGE plpgsql AS $$\n'
                    "DECLARE r int;\nBEGIN\n  r := n * 2;\n  RETURN r;\nEND $$"
                )
            sql = schema_sql("zz_source")
            with transaction.atomic():
                schema_create_from_template("zz_copy", sql)
                with connection.cursor() as cursor:
                    cursor.execute('SELECT body FROM "zz_copy".notes')
                    assert cursor.fetchone()[0] == tricky
                    cursor.execute('SELECT "zz_copy".twice(21)')
                    assert cursor.fetchone()[0] == 42
                    cursor.execute("INSERT INTO \"zz_copy\".notes (body) VALUES ('next') RETURNING id")
                    assert cursor.fetchone()[0] == 2
                assert User.objects.exists() is not None  # the connection's search_path works again
        finally:
            for schema in ("zz_copy", "zz_source"):
                schema_drop(schema)
