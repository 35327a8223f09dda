import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from master.companies.models import Company
from tests.conftest import PASSWORD


def create(*extra):
    from io import StringIO

    out = StringIO()
    call_command(
        "create_company",
        "--name",
        "Theta",
        "--slug",
        "theta",
        "--ruc",
        "1700000001001",
        "--kind",
        "exporter",
        "--license",
        "saas",
        "--admin-email",
        "t@theta.test",
        *extra,
        stdout=out,
    )
    return out.getvalue()


def test_create_company_prints_the_url_and_a_set_password_link(db):
    output = create()
    assert "http://theta.localhost:8000/" in output
    assert "/accounts/set-password/" in output
    assert schema_exists("theta")


def test_create_company_with_a_password_prints_the_login(db):
    output = create("--admin-password", PASSWORD)
    assert "t@theta.test" in output and "set-password" not in output


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--slug", "www"], "--slug"),
        (["--ruc", "1700000002001"], "--ruc"),
        (["--admin-email", "nope"], "--admin-email"),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(db, args, field):
    from io import StringIO

    base = {
        "--name": "Theta",
        "--slug": "theta",
        "--ruc": "1700000001001",
        "--kind": "exporter",
        "--license": "saas",
        "--admin-email": "t@theta.test",
    }
    base[args[0]] = args[1]
    argv = [item for pair in base.items() for item in pair]
    with pytest.raises(CommandError) as error:
        call_command("create_company", *argv, stdout=StringIO())
    assert field in str(error.value)
    assert not Company.objects.filter(name="Theta").exists()


def test_an_unknown_kind_is_refused_by_the_parser(db):
    with pytest.raises(CommandError):
        call_command(
            "create_company",
            "--name",
            "X",
            "--slug",
            "x",
            "--ruc",
            "1700000001001",
            "--kind",
            "pirate",
            "--license",
            "saas",
            "--admin-email",
            "x@x.test",
        )


def test_bootstrap_demo_is_idempotent(db):
    from io import StringIO

    call_command("bootstrap_demo", stdout=StringIO())
    count = Company.objects.count()
    call_command("bootstrap_demo", stdout=StringIO())
    assert Company.objects.count() == count
    assert Company.objects.filter(slug__in=["sucacao", "centro-norte"]).count() == 2
