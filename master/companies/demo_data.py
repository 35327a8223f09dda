"""Demo companies and logins created by `make run` (plain data: the launcher prints it)."""

DEMO_PASSWORD = "cacao-demo-2026"
MASTER_EMAIL = "admin@triboka.localhost"
DEMO_COMPANIES = [
    # slug, name, RUC, kind, admin e-mail, [(extra user e-mail, role)]
    (
        "sucacao",
        "Sucacao Exportadora S.A.",
        "0992000015001",
        "exporter",
        "admin@sucacao.ec",
        [("exportador@sucacao.ec", "exporter")],
    ),
    (
        "centro-norte",
        "Centro de Acopio Norte",
        "1300129499001",
        "center",
        "admin@centro-norte.ec",
        [("bodega@centro-norte.ec", "center")],
    ),
]
