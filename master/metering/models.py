"""API consumption, flushed from Redis every minute (master/metering/recorder.py, services.py).

Two grains, both in the public schema and both written by the same flush:
- ``EndpointUsageDaily``: company x day x method x route pattern x status class, for the
  consumption report of one company;
- ``CompanyUsageDaily``: company x day, what the dashboard and the monthly API-call limit read
  (a year of 1,000 companies is 365,000 rows).
Latency is kept as a histogram (counts per bound of ``LATENCY_BOUNDS_MS``) so percentiles
can be added across minutes, days and companies.
"""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from master.companies.models import Company

# Upper bounds (ms) of the latency histogram's buckets; one more bucket holds the slower ones.
LATENCY_BOUNDS_MS = (10, 25, 50, 100, 250, 500, 1000, 2500, 5000)
HISTOGRAM_SIZE = len(LATENCY_BOUNDS_MS) + 1


def empty_histogram() -> list[int]:
    return [0] * HISTOGRAM_SIZE


class UsageFigures(models.Model):
    requests = models.BigIntegerField(_("requests"), default=0)
    bytes_out = models.BigIntegerField(_("bytes sent"), default=0)
    latency_ms_sum = models.BigIntegerField(_("total latency (ms)"), default=0)
    latency_histogram = ArrayField(models.BigIntegerField(), size=HISTOGRAM_SIZE, default=empty_histogram)

    class Meta:
        abstract = True


class EndpointUsageDaily(UsageFigures):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    day = models.DateField(_("day"))
    method = models.CharField(_("method"), max_length=8)
    route = models.CharField(
        _("endpoint"), max_length=200, help_text=_("The route pattern, not the raw path.")
    )
    status_class = models.PositiveSmallIntegerField(_("status class"), help_text=_("2 for 2xx, 4 for 4xx…"))

    class Meta:
        verbose_name = _("API consumption by endpoint")
        verbose_name_plural = _("API consumption by endpoint")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "day", "method", "route", "status_class"], name="endpoint_usage_daily_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="endpoint_usage_day")]

    def __str__(self):
        return f"{self.day} {self.method} {self.route} {self.status_class}xx"


class CompanyUsageDaily(UsageFigures):
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("company")
    )
    day = models.DateField(_("day"))
    client_errors = models.BigIntegerField(_("4xx answers"), default=0)
    server_errors = models.BigIntegerField(_("5xx answers"), default=0)

    class Meta:
        verbose_name = _("API consumption")
        verbose_name_plural = _("API consumption")
        constraints = [models.UniqueConstraint(fields=["company", "day"], name="company_usage_daily_key")]
        indexes = [models.Index(fields=["day", "company"], name="company_usage_day")]

    def __str__(self):
        return f"{self.day} {self.requests}"


class FlushedMinute(models.Model):
    """A minute of counters already added to the tables above: written in the same
    transaction, so a flush that runs twice (or dies before clearing Redis) adds nothing."""

    minute = models.BigIntegerField(primary_key=True, help_text="Minutes since the Unix epoch.")
    flushed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("flushed minute")
        verbose_name_plural = _("flushed minutes")

    def __str__(self):
        return str(self.minute)
