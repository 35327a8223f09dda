"""Demo companies and logins created by `make run` (plain data: the launcher prints it)."""

DEMO_PASSWORD = "cacao-demo-2026"
MASTER_EMAIL = "admin@triboka.localhost"
# The ERP demo (erp/demo.py) adds, in each company, these users bound to their partners.
DEMO_ROLE_USERS = [("exportacion", "exporter"), ("acopio", "center"), ("proveedor", "supplier")]
DEMO_COMPANIES = [
    # slug, name, RUC, kind, admin e-mail, e-mail domain of its other users
    ("sucacao", "Sucacao Exportadora S.A.", "0992000015001", "exporter", "admin@sucacao.ec", "sucacao.ec"),
    (
        "centro-norte",
        "Centro de Acopio Norte",
        "1300129499001",
        "center",
        "admin@centro-norte.ec",
        "centro-norte.ec",
    ),
]
