"""The platform's own scheduled methods (see lowcode/hooks.py)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.utils import timezone

from lowcode.core.models import ScheduledJobLog

JOB_LOG_DAYS = 30


def clear_expired_sessions() -> None:
    Session.objects.filter(expire_date__lt=timezone.now()).delete()


def prune_job_logs() -> None:
    ScheduledJobLog.objects.filter(started_at__lt=timezone.now() - timedelta(days=JOB_LOG_DAYS)).delete()
