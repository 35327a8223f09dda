from tests.erp.conftest import erp_a, erp_b  # noqa: F401  (fixtures)
