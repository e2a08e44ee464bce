"""``landing_sensor``: start a run when new or changed export files appear in the landing folder.

The sensor only lists the folder: it never opens the DuckDB file (a reader beside a
running build would fail, and a writer would block it). Its cursor is the sorted list of
short hashes of ``(relative path, size, mtime)`` of every export file it has seen; a file
counts once its size and mtime have not changed for ``settle_seconds`` (a platform still
copying a file is left for the next tick). The loader skips content it already has, so
a file touched without a change costs a quick no-op run, never a double load.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from dagster import (
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from ingest.sources import SOURCES
from orchestration.jobs import searchlight_daily
from orchestration.resources import default_landing

EXPORT_SUFFIXES = {".csv", ".jsonl", ".xlsx"}
SETTLE_SECONDS = float(os.environ.get("SEARCHLIGHT_SENSOR_SETTLE_SECONDS", "30"))


@dataclass(frozen=True, order=True)
class LandedFile:
    path: str  # relative to the landing folder, '/'-separated
    size: int
    mtime_ns: int

    @property
    def token(self) -> str:
        text = f"{self.path}\0{self.size}\0{self.mtime_ns}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def scan_landing(landing: Path, settle_seconds: float = SETTLE_SECONDS,
                 now: float | None = None) -> list[LandedFile]:
    """Export files in ``landing/<source>/`` that have settled, sorted by path."""
    now = time.time() if now is None else now
    files: list[LandedFile] = []
    if not landing.is_dir():
        return files
    for source in SOURCES:
        folder = landing / source
        if not folder.is_dir():
            continue
        for path in folder.rglob("*"):
            name = path.name
            if (not path.is_file() or name.startswith((".", "~$"))
                    or path.suffix.lower() not in EXPORT_SUFFIXES):
                continue
            st = path.stat()
            if now - st.st_mtime < settle_seconds:
                continue
            files.append(LandedFile(path.relative_to(landing).as_posix(), st.st_size,
                                    st.st_mtime_ns))
    return sorted(files)


def read_cursor(cursor: str | None) -> set[str]:
    if not cursor:
        return set()
    try:
        return set(json.loads(cursor).get("seen", []))
    except (ValueError, AttributeError):
        return set()


def write_cursor(files: list[LandedFile]) -> str:
    return json.dumps({"seen": sorted(f.token for f in files)}, separators=(",", ":"))


@sensor(
    name="landing_sensor",
    job=searchlight_daily,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="Starts searchlight_daily when new or changed export files settle in the "
                "landing folder (SEARCHLIGHT_LANDING). Never opens the warehouse.",
)
def landing_sensor(context: SensorEvaluationContext):
    landing = Path(default_landing())
    files = scan_landing(landing)
    seen = read_cursor(context.cursor)
    new = [f for f in files if f.token not in seen]
    cursor = write_cursor(files)
    if not new:
        return SensorResult(skip_reason=SkipReason(
            f"no new files in {landing} ({len(files)} known)"), cursor=cursor)
    run_key = hashlib.sha256("\n".join(f.token for f in new).encode()).hexdigest()[:24]
    sources = sorted({f.path.split("/", 1)[0] for f in new})
    context.log.info(f"{len(new)} new file(s) in {', '.join(sources)}")
    return SensorResult(
        run_requests=[RunRequest(
            run_key=run_key,
            tags={"searchlight/trigger": "landing",
                  "searchlight/new_files": str(len(new)),
                  "searchlight/sources": ",".join(sources)[:200]},
        )],
        cursor=cursor,
    )


@sensor(
    name="notification_sensor",
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Sends new red alerts and ledger items past their handling deadline "
                "(督办超期) to the Apprise channels in SEARCHLIGHT_NOTIFY_URLS, at most once "
                "per alert, event and channel (ledger/notify.py). Skips when no channel is "
                "configured. Reads the ledger store, never the warehouse.",
)
def notification_sensor(context: SensorEvaluationContext):
    from ledger.notify import channels_from_env, send_pending
    from ledger.store import ledger_path
    from orchestration.resources import default_warehouse

    urls = channels_from_env()
    if not urls:
        return SkipReason("no notification channel: set SEARCHLIGHT_NOTIFY_URLS")
    ledger = ledger_path(default_warehouse())
    if not ledger.exists():
        return SkipReason(f"no ledger yet at {ledger}")
    report = send_pending(ledger, urls)
    for alert_id, event, channel in report.failed:
        context.log.warning(f"notification not delivered to {report.channels[channel]}, "
                            f"retried next tick: {event} {alert_id}")
    if not report.sent:
        return SkipReason(f"nothing new to notify ({len(report.failed)} failed)")
    context.log.info(f"sent {len(report.sent)} notification(s)")
    return SkipReason(f"sent {len(report.sent)} notification(s); "
                      f"{report.pending_left} left for the next tick")
