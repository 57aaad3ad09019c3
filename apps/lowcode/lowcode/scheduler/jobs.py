"""What a worker runs for a scheduler_events entry: the method, wrapped in a Scheduled Job Log row."""

from __future__ import annotations

import logging
import traceback

from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string
from rq import get_current_job

from lowcode.core.definitions import reading_once
from lowcode.core.models import ScheduledJobLog

logger = logging.getLogger(__name__)


def run_scheduled_method(method: str, event: str) -> None:
    close_old_connections()
    job = get_current_job()
    log = ScheduledJobLog.objects.create(
        method=method, event=event, job_id=job.id if job else "", started_at=timezone.now()
    )
    try:
        with reading_once():  # definitions (custom fields, workflows) are checked once per job
            import_string(method)()
    except Exception:
        log.status = ScheduledJobLog.Status.FAILED
        log.error = traceback.format_exc()
        log.ended_at = timezone.now()
        log.save(update_fields=["status", "error", "ended_at"])
        logger.exception("scheduled method %s failed", method)
        raise
    else:
        log.status = ScheduledJobLog.Status.COMPLETE
        log.ended_at = timezone.now()
        log.save(update_fields=["status", "ended_at"])
    finally:
        close_old_connections()
