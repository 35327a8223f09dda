import signal
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from iot.mqtt import WORKERS, Broker, Ingester, topic_filter


class Command(BaseCommand):
    help = (
        "Subscribe to the devices' readings on the MQTT broker (MQTT_URL or --url) and store each "
        "in its company's schema: topic <prefix>/<company slug>/<device id>/readings, JSON with the "
        "device's key (message format in iot/mqtt.py). QoS 1 on a persistent session: what is "
        "published while this is stopped is delivered when it starts again. Stops on SIGTERM or Ctrl-C."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="", help="broker, e.g. mqtt://user:password@host:1883 (MQTT_URL)"
        )
        parser.add_argument(
            "--client-id", default="", help="the session's client id, fixed across restarts (MQTT_CLIENT_ID)"
        )
        parser.add_argument("--prefix", default="", help="the topics' first level (MQTT_TOPIC_PREFIX)")
        parser.add_argument(
            "--workers", type=int, default=WORKERS, help=f"threads storing readings (default {WORKERS})"
        )
        parser.add_argument("--seconds", type=float, default=None, help="stop after this many seconds")
        parser.add_argument(
            "--report-every", type=float, default=60, help="seconds between counter lines (default 60)"
        )

    def handle(self, *args, **options):
        url = options["url"] or settings.MQTT_URL
        if not url:
            raise CommandError("No MQTT broker: set MQTT_URL or pass --url mqtt://host:1883.")
        try:
            broker = Broker.from_url(url)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["seconds"] is not None and options["seconds"] <= 0:
            raise CommandError("--seconds must be more than 0.")
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1.")
        ingester = Ingester(
            broker=broker,
            client_id=options["client_id"] or settings.MQTT_CLIENT_ID,
            prefix=options["prefix"] or settings.MQTT_TOPIC_PREFIX,
            workers=options["workers"],
            report=self._report,
            report_every=max(options["report_every"], 1),
        )
        self.stdout.write(
            f"mqtt_ingest: {broker}, client id {ingester.client_id}, topics {topic_filter(ingester.prefix)}"
        )
        with _stopping_on_signals(ingester.stop):
            counters = ingester.run(seconds=options["seconds"])
        self._report(counters.line())
        if ingester.failed:
            raise CommandError(
                "A worker failed (see the log above); messages not stored are delivered again."
            )

    def _report(self, line: str) -> None:
        self.stdout.write(f"mqtt_ingest: {line}")
        self.stdout.flush()


@contextmanager
def _stopping_on_signals(stop):
    """SIGTERM and Ctrl-C finish the batch being stored, then disconnect."""
    previous = {
        number: signal.signal(number, lambda *_: stop()) for number in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
