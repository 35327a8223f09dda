import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from master.platform.nginx import NginxConfigError, NginxPlan, nginx_config_render, nginx_plan
from master.platform.services import system_settings


class Command(BaseCommand):
    help = (
        "Write the nginx configuration: the base domain and *.<base domain> with the wildcard "
        "certificate, a server per custom domain of every company with its own certificate, "
        "HTTP to HTTPS, daphne behind it (websockets on /ws/). Standard output by default."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", metavar="FILE", help="Write to FILE (replaced in one step).")
        parser.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; fail when FILE is missing or differs from what would be written.",
        )
        parser.add_argument(
            "--skip-missing-certificates",
            action="store_true",
            help=(
                "Leave out of HTTPS the custom domains whose certificate files are not on this "
                "machine yet (port 80 still answers them, so certbot can get the certificate)."
            ),
        )

    def handle(self, *args, output, check, skip_missing_certificates, **options):
        if check and not output:
            raise CommandError("--check compares with a file: give --output FILE.")
        values = system_settings(fresh=True)
        try:
            plan = nginx_plan(values=values, skip_missing_certificates=skip_missing_certificates)
        except NginxConfigError as error:
            raise CommandError(f"Nothing written: {error}. Correct the system settings.") from error
        self._warn(plan, values.base_domain)
        text = nginx_config_render(values=values, plan=plan)
        if not output:
            self.stdout.write(text, ending="")
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"No folder {path.parent} to write {path.name} in.")
        current = path.read_text() if path.is_file() else None
        if check:
            if current != text:
                raise CommandError(
                    f"{path} is out of date: run render_nginx --output {path}, then reload nginx."
                )
            self.stdout.write(f"{path} is up to date.")
        elif current == text:
            self.stdout.write(f"{path} is unchanged.")
        else:
            _replace(path, text)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {path} ({len(plan.custom_sites)} custom domains). "
                    "Then: nginx -t && systemctl reload nginx"
                )
            )

    def _warn(self, plan: NginxPlan, base_domain: str) -> None:
        if base_domain != settings.BASE_DOMAIN:
            self.stderr.write(
                self.style.WARNING(
                    f"The system settings' base domain is {base_domain}, but Django routes "
                    f"requests by BASE_DOMAIN={settings.BASE_DOMAIN}: make them equal."
                )
            )
        for raw in plan.rejected_domains:
            self.stderr.write(self.style.WARNING(f"Left out: the domain {raw!r} is not a plain host name."))
        for site in plan.without_certificate:
            self.stderr.write(
                f"Left out of HTTPS until its certificate exists: {site.domain} ({site.certificate})."
            )
        for site in [plan.wildcard, *plan.custom_sites]:
            if not site.has_certificate():
                self.stderr.write(
                    self.style.WARNING(
                        f"No certificate at {site.certificate} for {site.domain} on this machine: "
                        "nginx -t fails until it is there (docs/operations.md, nginx)."
                    )
                )


def _replace(path: Path, text: str) -> None:
    """Write beside the file and rename over it, so nginx never reads half a file."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w") as file:
            file.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
