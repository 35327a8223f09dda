"""python manage.py setup_periodic_tasks: the platform's schedules in django-celery-beat's
database (triboka/jobs.py SCHEDULES). Run it as often as you like: it creates what is missing
and puts changed schedules back, and says what it did."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from triboka.jobs import SCHEDULES


class Command(BaseCommand):
    help = __doc__.split("\n")[0]

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, fields) in SCHEDULES.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                minute=fields.get("minute", "*"),
                hour=fields.get("hour", "*"),
                day_of_month=fields.get("day_of_month", "*"),
                month_of_year="*",
                day_of_week="*",
                timezone="America/Guayaquil",
            )
            periodic, created = PeriodicTask.objects.update_or_create(
                name=name, defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True}
            )
            self.stdout.write(f"{'created' if created else 'kept'}: {name} -> {task} ({crontab})")
