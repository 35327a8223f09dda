from django.core.management.base import BaseCommand

from master.licensing.files import key_id, keypair_generate, public_key_load


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 key pair for license files: the private key goes into the master's "
        "TRIBOKA_LICENSE_SIGNING_KEY (secret), the public key into each installation's "
        "TRIBOKA_LICENSE_PUBLIC_KEY. A new pair invalidates every file signed with the old one."
    )

    def handle(self, *args, **options):
        private, public = keypair_generate()
        self.stdout.write(f"TRIBOKA_LICENSE_SIGNING_KEY={private}")
        self.stdout.write(f"TRIBOKA_LICENSE_PUBLIC_KEY={public}")
        self.stderr.write(f"key id {key_id(public_key_load(public))}; keep the signing key secret.")
