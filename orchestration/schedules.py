"""The daily build at 06:00 China time, before the offices open."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import searchlight_daily

TIMEZONE = "Asia/Shanghai"

daily_schedule = ScheduleDefinition(
    name="searchlight_daily_schedule",
    job=searchlight_daily,
    cron_schedule="0 6 * * *",
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.STOPPED,
    description="Every day at 06:00 Asia/Shanghai: load, check, build, publish.",
)
