from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.parametrize(
    ("urlconf", "path"),
    [
        ("triboka.urls_tenant", "/api/v1/contracts/"),
        ("triboka.urls_public", "/api/master/companies/"),
    ],
)
def test_the_openapi_schemas_generate_without_warnings(urlconf, path):
    out = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--urlconf", urlconf, stdout=out)
    assert path in out.getvalue()
