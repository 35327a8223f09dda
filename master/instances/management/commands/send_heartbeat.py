from django.core.management.base import BaseCommand, CommandError

from master.instances.client import HeartbeatConfig, HeartbeatError, heartbeat_send


class Command(BaseCommand):
    help = (
        "On an on-premise installation: send one signed heartbeat (version, license file, health "
        "checks) to the master at TRIBOKA_MASTER_URL, as instance TRIBOKA_INSTANCE_ID with the key "
        "TRIBOKA_INSTANCE_KEY. The scheduled job sends one every 5 minutes."
    )

    def handle(self, *args, **options):
        try:
            config = HeartbeatConfig.from_settings()
            answer = heartbeat_send(config)
        except HeartbeatError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Heartbeat accepted by {config.master_url} for the instance {answer.get('instance')} "
                f"at {answer.get('received_at')}."
            )
        )
