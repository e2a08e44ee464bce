"""UTF-8 or GBK (ingest/encoding.py): never store mis-decoded text silently (issue 14 item 4).

About 3% of two-character pairs of common characters have GBK bytes that are valid UTF-8
too. For random names of common characters, written in either encoding, the reader must
pick the right encoding or refuse the file — never the wrong one.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.encoding import EncodingRefused, detect

pytestmark = pytest.mark.unit

COMMON = [bytes([lead, trail]).decode("gb2312") for lead in range(0xB0, 0xD8)
          for trail in range(0xA1, 0xFF) if not (lead == 0xD7 and trail > 0xF9)]


def _decide(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "staff.csv"
    path.write_bytes(data)
    try:
        return detect(path, "staff/staff.csv").encoding
    except EncodingRefused:
        return "refused"


@pytest.mark.parametrize(("length", "samples"), [(1, 300), (2, 1200), (3, 300)])
def test_names_of_common_characters_are_never_read_in_the_wrong_encoding(tmp_path, length,
                                                                          samples):
    rng = random.Random(14)
    gbk_valid_as_utf8 = wrong = 0
    for _ in range(samples):
        name = "".join(rng.choice(COMMON) for _ in range(length))
        text = f"staff_id,staff_name\nS1,{name}\n"
        as_gbk = text.encode("gbk")
        try:
            as_gbk.decode("utf-8")
            gbk_valid_as_utf8 += 1
        except UnicodeDecodeError:
            pass
        wrong += _decide(tmp_path, as_gbk) == "utf-8"
        wrong += _decide(tmp_path, text.encode("utf-8")) == "gb18030"
    assert wrong == 0
    if length == 2:
        assert gbk_valid_as_utf8 > 15  # the risk is real: ~3% of pairs


def test_the_issues_example_reads_as_gbk(tmp_path):
    data = "staff_id,staff_name\nS1,袁泉\n".encode("gbk")
    assert data.decode("utf-8") == "staff_id,staff_name\nS1,ԬȪ\n"
    assert _decide(tmp_path, data) == "gb18030"


def test_a_bom_and_pure_ascii_need_no_guess(tmp_path):
    assert _decide(tmp_path, b"\xef\xbb\xbfstaff_id\nS1,Jos\xc3\xa9\n") == "utf-8"
    assert _decide(tmp_path, b"staff_id\nS1\n") == "utf-8"
