"""Every cell of docs/permissions/finance.md with real requests and tokens (the main matrix
test runs them too, once tests/erp/finance/matrix.py is registered there)."""

import re
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

from . import matrix

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions" / "finance.md"
ROLES = ["admin", "exporter", "center", "supplier"]
ROW = re.compile(r"^\| `(GET|POST|PATCH|PUT|DELETE) (\S+)` \| (\d{3}) \| (\d{3}) \| (\d{3}) \| (\d{3}) \|$")
PLACEHOLDER = re.compile(r"\{([a-z_]+:[a-z0-9_]+)\}")


def rows():
    for line in DOC.read_text().splitlines():
        match = ROW.match(line.strip())
        if match:
            method, path, *codes = match.groups()
            yield method, path, dict(zip(ROLES, map(int, codes), strict=True))


CELLS = [
    pytest.param(method, path, role, expected, id=f"{method} {path} as {role}")
    for method, path, codes in rows()
    for role, expected in codes.items()
]


def resolve(text: str, world) -> str:
    def object_id(match):
        key = match.group(1)
        if key in matrix.PREPARE:
            with tenant_context(world.company):
                return str(matrix.PREPARE[key](world).pk)
        kind, name = key.split(":")
        return str({"lot": world.lots, "partner": world.partners, "contract": world.contracts}[kind][name].pk)

    return PLACEHOLDER.sub(object_id, text)


def test_every_finance_row_that_writes_has_a_body(erp_a):
    writing = [(m, p) for m, p, _codes in rows() if m in ("POST", "PATCH", "PUT")]
    assert writing and all(key in matrix.bodies(erp_a) for key in writing)


@pytest.mark.parametrize(("method", "path", "role", "expected"), CELLS)
def test_finance_matrix_cell(erp_a, method, path, role, expected):
    url = resolve(path, erp_a)
    data = matrix.bodies(erp_a).get((method, path))
    if data:
        data = {
            key: resolve(value, erp_a) if isinstance(value, str) else value for key, value in data.items()
        }
    response = getattr(erp_a.client(role), method.lower())(url, data, format="json")
    assert response.status_code == expected, response.content[:300]
