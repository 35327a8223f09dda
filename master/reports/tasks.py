"""Report jobs. They run in the public schema, where every figure a report reads is kept
(so they are not fanned out per company like triboka.jobs)."""

import smtplib

from triboka.celery import app

from . import services


@app.task
def report_generate(report_id: int) -> str:
    """Write a queued report's files; a second delivery writes nothing more."""
    report = services.report_generate(report_id)
    return report.status if report else "gone"


@app.task(bind=True, max_retries=3, default_retry_delay=600)
def report_schedule_run(self, schedule_id: int, force: bool = False) -> str:
    """Run by beat (the schedule's PeriodicTask): write the last period's report and e-mail
    it. When the mail server refuses, the run is tried again later: it finds the report
    written and only sends it (hence ``force`` off on the retry)."""
    try:
        report = services.schedule_run(schedule_id=schedule_id, force=force)
    except (smtplib.SMTPException, OSError) as error:
        raise self.retry(exc=error, args=[schedule_id], kwargs={"force": False}) from error
    return f"report {report.pk}: {report.status}" if report else "nothing to do"
