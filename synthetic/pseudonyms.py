"""Subject ids as the warehouse computes them, for the ground truth.

Subject ids that rules.md defines as ``pseudonym(v)`` are computed with ``pseudonym``:
the same keyed HMAC as the warehouse (``searchlight.dbt_plugin``); credit codes in
subject ids go through ``enterprise_id`` (a sole proprietorship's code is pseudonymised).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Any

import pandas as pd


def pseudonym(value: Any) -> str | None:
    """rules.md pseudonym(v), byte for byte what the warehouse computes."""
    # Imported here, not at the top, for speed (no cycle): the plugin module loads dbt's
    # adapter package, which takes seconds; only the first pseudonym pays for it.
    from searchlight.dbt_plugin import DEMO_KEY, KEY_ENV

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    key = os.environ.get(KEY_ENV) or DEMO_KEY
    normalised = re.sub(r"[\s\u3000\u00a0\u2000-\u200a\u2028\u2029\u202f\u205f]", "",
                        str(value)).upper()
    return hmac.new(key.encode(), normalised.encode(), hashlib.sha256).hexdigest()[:16]


def enterprise_id(code: Any) -> str | None:
    """A credit code as the warehouse carries it (staging macro enterprise_id): a legal
    person's code as it is, a sole proprietorship's (个体工商户, prefix 92: a person's
    business, personal data by outputs.md Privacy) as pseudonym(code). Subject ids built
    from winner_uscc (P05, P07) use this."""
    if code is None or (not isinstance(code, str) and pd.isna(code)):
        return None
    return pseudonym(code) if str(code).startswith("92") else str(code)
