"""The evidence that matters: what the ledger compares to decide an alert "fired again
with new evidence".

Evidence of a rule about something still open is measured against the run's as_of: T01's
``elapsed_days`` and ``clock_end_at`` move every day while the case stays open. Hashing the
whole evidence made a dismissed T01 come back as "changed" on every daily run. The
fingerprint (``material_hash``) therefore leaves out the keys that only measure elapsed
time against as_of; every other key is a fact of the subject (dates it happened, ids,
counts, the rule's parameters), and a change there is new evidence.

``MEASUREMENT_KEYS`` is exact, read off ``dbt_project/models/warnings/*/warn_*.sql``;
``tests/ledger/test_evidence.py`` fails when a rule measured against as_of puts a key in
its evidence that nobody classified. A key that is a measurement in one rule is left out
in every rule: the names are only used that way.
"""

from __future__ import annotations

import hashlib
import json

# key -> the rules whose evidence measures it against as_of (for a still-open subject)
MEASUREMENT_KEYS: dict[str, str] = {
    "as_of": "T03, T05: the run's date itself",
    "clock_end_at": "T01, T02: the end of as_of while the case is open",
    "gross_days": "T01, T02: accepted_at → clock end",
    "elapsed_days": "T01, T02, T03: gross minus lawful suspension",
    "lawful_suspended_days": "T01–T04: a suspension still running is counted to as_of",
    "remaining_days": "T03: promised limit minus elapsed",
    "days_after_acceptance": "T05: accepted_at → as_of while open",
    "answered_at": "T06: the end of as_of while the case has no answer",
    "working_days": "S01, S06, T06: counted to as_of while unrectified/unhandled/unanswered",
    "measured_to": "S01, S04, S06: as_of (or its end) while open",
    "window_from": "S02: the window slides with as_of",
    "window_to": "S02: as_of",
    "measured_on": "K01: as_of while the milestone is not completed",
    "days_late": "K01: planned_on → as_of while not completed",
}


# json.dumps(kept, ensure_ascii=False, sort_keys=True, separators=(",", ":")), with the
# encoder made once (json.dumps makes one per call with these options; a run hashes 10^5).
_MATERIAL_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def material(evidence: str | None) -> str:
    """The evidence without its measurement keys, as canonical JSON (sorted keys), so key
    order and whitespace (DuckDB and Postgres print JSON differently) do not count either.
    Text that is not a JSON object is kept as it is."""
    try:
        parsed = json.loads(evidence) if evidence else None
    except ValueError:
        return evidence or ""
    if not isinstance(parsed, dict):
        return evidence or ""
    kept = {k: v for k, v in parsed.items() if k not in MEASUREMENT_KEYS}
    return _MATERIAL_JSON.encode(kept)


def material_hash(evidence: str | None) -> str:
    """The fingerprint recorded on register, close, dismiss and reopen."""
    return hashlib.sha256(material(evidence).encode("utf-8")).hexdigest()


def legacy_hash(evidence: str | None) -> str:
    """What stores written before material hashing recorded: sha256 of the whole text."""
    return hashlib.sha256((evidence or "").encode("utf-8")).hexdigest()
