"""Identifiers of synthetic people and enterprises: resident IDs, credit codes, phones, names.

The check digits use the loader's own tables (``ingest.validate``): a generated ID is
valid exactly when the loader says so, and the tables exist once in the repository.
The GB 11714 organisation-code weights (characters 9–17 of a credit code) are only
needed to make codes, never to check them, so they live here.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from ingest.validate import CREDIT_ALPHABET, CREDIT_WEIGHTS, RESIDENT_CHECK, RESIDENT_WEIGHTS
from synthetic import names

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code (chars 9–17 of a USCC)
RESIDENT_WEIGHT_VECTOR = np.array(RESIDENT_WEIGHTS)  # for the vectorised checksum


# --------------------------------------------------------------------------- checksums


def resident_id_check(first17: str) -> str:
    """The GB 11643 check character of a resident ID's first 17 digits."""
    return RESIDENT_CHECK[sum(int(c) * w for c, w in zip(first17, RESIDENT_WEIGHTS)) % 11]


def is_valid_resident_id(value: str) -> bool:
    v = value.strip().upper()
    return (len(v) == 18 and v[:17].isdigit() and v[17] in "0123456789X"
            and resident_id_check(v[:17]) == v[17])


def credit_code_check(first17: str) -> str:
    """The GB 32100 check character of a unified social credit code's first 17."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def is_valid_credit_code(value: str) -> bool:
    v = value.strip().upper()
    return (len(v) == 18 and all(c in CREDIT_ALPHABET for c in v)
            and credit_code_check(v[:17]) == v[17])


def org_code(body8: str) -> str:
    """A GB 11714 organisation code: the 8-character body and its check character."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(body8, ORG_WEIGHTS))
    check = 11 - total % 11
    return body8 + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(kind: str, region: str, body8: str) -> str:
    """A valid credit code: registration kind (91 a company, 92 a sole proprietorship),
    the 6-digit region, the organisation code of body8, the check character."""
    first17 = kind + region + org_code(body8)
    return first17 + credit_code_check(first17)


# --------------------------------------------------------------------------- draws


def resident_ids(rng: np.random.Generator, n: int, born_from: date, born_to: date) -> np.ndarray:
    """n distinct valid resident IDs (vectorised checksum)."""
    m = int(n * 1.2) + 10
    region = rng.choice(np.array(names.BIRTH_REGIONS), m)
    span = (born_to - born_from).days
    birth = (np.datetime64(born_from) + rng.integers(0, span, m).astype("timedelta64[D]"))
    birth_s = np.char.replace(np.datetime_as_string(birth, unit="D"), "-", "")
    seq = np.char.zfill(rng.integers(0, 1000, m).astype(str), 3)
    body = np.char.add(np.char.add(region, birth_s), seq)
    digits = (np.frombuffer(body.astype("S17").tobytes(), dtype=np.uint8).reshape(m, 17) - 48)
    check = np.array(list(RESIDENT_CHECK))[(digits @ RESIDENT_WEIGHT_VECTOR) % 11]
    ids = np.char.add(body, check)
    _, first = np.unique(ids, return_index=True)
    return ids[np.sort(first)][:n]


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    sur = rng.choice(np.array(list(names.SURNAMES)), n)
    chars = np.array(list(names.GIVEN_CHARS))
    g1 = rng.choice(chars, n)
    g2 = np.where(rng.random(n) < 0.7, rng.choice(chars, n), "")
    return np.char.add(np.char.add(sur, g1), g2)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    """n mainland mobile numbers (1, then 3–9, then nine digits); not necessarily distinct."""
    second = rng.choice(np.array(list("3456789")), n)
    rest = np.char.zfill(rng.integers(0, 10**9, n).astype(str), 9)
    return np.char.add(np.char.add("1", second), rest)


def credit_codes(rng: np.random.Generator, n: int, kind: str = "91") -> list[str]:
    """n distinct credit codes of the district's region."""
    alphabet = np.array(list(CREDIT_ALPHABET))
    tails = rng.choice(alphabet, (n, 6))
    out, seen = [], set()
    for i in range(n):
        code = credit_code(kind, names.REGION_CODE, "MA" + "".join(tails[i]))
        if code in seen:
            code = credit_code(kind, names.REGION_CODE, "MB" + "".join(tails[i]))
        seen.add(code)
        out.append(code)
    return out


class FreshPeople:
    """Resident ids, names, phones and credit codes unused anywhere else in the district."""

    def __init__(self, rng: np.random.Generator, used: set[str]):
        self.rng, self.used = rng, set(used)

    def resident_ids(self, n: int, born_from: date = date(1950, 1, 1),
                     born_to: date = date(2004, 12, 31)) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            for v in resident_ids(self.rng, n - len(out) + 5, born_from, born_to):
                v = str(v)
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out

    def names(self, n: int) -> list[str]:
        return [str(v) for v in person_names(self.rng, n)]

    def phones(self, n: int) -> list[str]:
        out: list[str] = []
        while len(out) < n:
            for v in phones(self.rng, n - len(out) + 5):
                v = str(v)
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out

    def credit_codes(self, n: int, kind: str = "91") -> list[str]:
        out: list[str] = []
        while len(out) < n:
            for v in credit_codes(self.rng, n - len(out) + 5, kind):
                if v not in self.used and len(out) < n:
                    self.used.add(v)
                    out.append(v)
        return out
