"""Read landed files into Arrow record batches of text, with record numbers.

Every reader yields the same shape: columns ``c0..c{n-1}`` (strings, exactly as the file
holds them) plus ``_line`` (the record number; the header is record 1, so the first data
row is 2; for JSON Lines the physical line number). JSON Lines files yield one column
``line`` with the text of each line; their keys are resolved in SQL (ingest/load.py).

Nothing here loops over rows in Python except XLSX (small by nature) and the fallback
for CSV files that have rows with the wrong number of fields.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from ingest import encoding
from ingest.sources import Source, header_lookup, normalize_header

ACCEPTED_EXTENSIONS = (".csv", ".jsonl", ".xlsx")
BLOCK_SIZE = 16 * 1024 * 1024
SLOW_BATCH_ROWS = 100_000
FIRST_DATA_LINE = 2


class RefusedFile(Exception):
    """The whole file is refused; the message names the file and what is wrong."""


@dataclass
class BadRow:
    """A record the reader itself could not use (wrong field count, not a JSON object)."""

    line: int | None
    row_text: str
    reason: str


@dataclass
class HeaderMap:
    """Where each canonical column is in the file, and which columns are extra."""

    columns: dict[str, int]  # canonical name -> position
    extras: list[int]  # positions of columns the contract does not name
    headers: list[str]  # original headers, as read (blank ones named column_<n>)

    @property
    def extra_names(self) -> list[str]:
        return [self.headers[i] for i in self.extras]


@dataclass
class FileRead:
    """A landed file opened for loading."""

    file_name: str  # relative to the landing folder, e.g. 'cases/cases_0.csv'
    fmt: str  # 'csv', 'jsonl' or 'xlsx'
    stream: pa.RecordBatchReader
    header: HeaderMap | None  # None for JSON Lines (keys are found in SQL)
    encoding: str | None = None
    bad_rows: list[BadRow] = field(default_factory=list)
    needs_slow_path: bool = False  # set while reading when a row has a wrong field count
    # Set when DuckDB's own parallel CSV reader may read the file instead of ``stream``
    # (``read_csv(native=True)``); the loader falls back to ``stream`` when it cannot.
    native: NativeCsv | None = None


@dataclass(frozen=True)
class NativeCsv:
    """A UTF-8 CSV file that DuckDB's parallel reader may load, with exact record numbers.

    Record numbers are exact when every record is one physical line: the loader checks
    that DuckDB read exactly ``records`` rows (the file's data lines). A quoted newline
    joins two lines into one record, a blank line is skipped: either leaves fewer rows,
    and the file is read again by the exact readers. Lone carriage returns (another
    newline to some readers) and a header spanning lines make a file ineligible here.
    """

    path: Path
    width: int  # fields per record (the header's)
    records: int  # data lines: what DuckDB must read for the record numbers to hold


def column_names(n: int) -> list[str]:
    return [f"c{i}" for i in range(n)]


# --- encoding ----------------------------------------------------------------------------

def detect_encoding(path: Path, file_name: str) -> str:
    """'utf-8' (with or without BOM) or 'gb18030' (ingest/encoding.py: how it is decided
    and declared); a file whose encoding is not acceptable or cannot be told is refused."""
    try:
        return encoding.detect(path, file_name).encoding
    except encoding.EncodingRefused as exc:
        raise RefusedFile(str(exc)) from None


# --- headers -----------------------------------------------------------------------------

def match_headers(source: Source, headers: list[str], file_name: str) -> HeaderMap:
    """Map original headers to canonical columns; refuse when a required one is missing."""
    lookup = header_lookup(source)
    names = [h if h.strip() else f"column_{i + 1}" for i, h in enumerate(headers)]
    columns: dict[str, int] = {}
    extras: list[int] = []
    clashes: list[str] = []
    for i, header in enumerate(names):
        canonical = lookup.get(normalize_header(header))
        if canonical is None:
            extras.append(i)
        elif canonical in columns:
            # Which of two columns holds the real value cannot be known: keeping the first
            # would load the other's values silently as an extra column.
            first = columns[canonical]
            clashes.append(f"'{names[first]}' (column {first + 1}) and '{header}' "
                           f"(column {i + 1}) both map to {canonical}")
        else:
            columns[canonical] = i
    if clashes:
        raise RefusedFile(f"{file_name}: two columns for one field: {'; '.join(clashes)}; "
                          "keep one of them (or rename the other) and deliver the file again")
    missing = [c for c in source.required_columns if c.name not in columns]
    if missing:
        listed = ", ".join(
            f"{c.name} ({'/'.join(c.aliases)})" if c.aliases else c.name for c in missing
        )
        raise RefusedFile(f"{file_name}: missing required column(s) {listed}")
    return HeaderMap(columns, extras, names)


# Python's csv module refuses fields over 131,072 characters by default; a contract file
# may hold longer ones (a note, a comment), and the reader must not fail on them.
FIELD_SIZE_LIMIT = 2**31 - 1


def _text_reader(fh, strict: bool = False):
    csv.field_size_limit(FIELD_SIZE_LIMIT)
    return csv.reader(fh, strict=strict)


def _open_text(path: Path, encoding: str):
    return open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="")


def _read_csv_header(path: Path, encoding: str, file_name: str) -> list[str]:
    with _open_text(path, encoding) as fh:
        try:
            header = next(_text_reader(fh), None)
        except csv.Error as exc:
            raise RefusedFile(f"{file_name}: line 1: the header cannot be read ({exc})") from exc
    if not header or not any(h.strip() for h in header):
        raise RefusedFile(f"{file_name}: the file is empty or has no header row")
    return header


# --- CSV ---------------------------------------------------------------------------------

def read_csv(path: Path, file_name: str, source: Source, slow: bool = False,
             native: bool = False) -> FileRead:
    """CSV (RFC 4180) in UTF-8, UTF-8 with BOM or GB18030, as text batches.

    ``native``: when the file allows it (``NativeCsv``), set ``read.native`` and leave
    ``read.stream`` empty: the loader reads it with DuckDB (or calls again without it).
    """
    encoding = detect_encoding(path, file_name)
    headers = _read_csv_header(path, encoding, file_name)
    header = match_headers(source, headers, file_name)
    counts = _refuse_unterminated_quote(path, encoding, file_name)
    names = column_names(len(headers))
    read = FileRead(file_name, "csv", pa.RecordBatchReader.from_batches(
        _schema(names), iter(())), header, encoding)
    if (native and not slow and encoding == "utf-8" and counts.cr == counts.crlf
            and not any("\n" in h or "\r" in h for h in headers)):
        read.native = NativeCsv(path, len(headers), counts.lines - 1)
        return read
    if slow:
        read.stream = pa.RecordBatchReader.from_batches(
            _schema(names), _csv_rows_python(path, encoding, names, headers, read.bad_rows))
        return read

    def on_invalid_row(row: object) -> str:
        read.needs_slow_path = True  # record numbers are unknown: redo this file slowly
        return "skip"

    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=names, skip_rows=1, block_size=BLOCK_SIZE,
            encoding="utf8" if encoding == "utf-8" else encoding),
        parse_options=pacsv.ParseOptions(
            newlines_in_values=True, invalid_row_handler=on_invalid_row),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    read.stream = pa.RecordBatchReader.from_batches(_schema(names), _numbered(reader))
    return read


@dataclass
class ByteCounts:
    """What one pass over a file's bytes tells (none of these bytes is ever part of a
    UTF-8 or GBK multi-byte character)."""

    quotes: int = 0
    lines: int = 0  # physical lines, the last one counted even without its newline
    cr: int = 0
    crlf: int = 0  # may miss one split between two blocks: then cr != crlf (conservative)


def _refuse_unterminated_quote(path: Path, encoding: str, file_name: str) -> ByteCounts:
    """Refuse a file whose last quoted field never closes (an export cut short); return
    the byte counts of the pass that finds out.

    Both readers would otherwise read everything after the opening quote as one value:
    the rows after it would vanish into one quarantined row. RFC 4180 quoting uses quotes
    in pairs, so only a file with an odd number of them needs the strict check.
    """
    counts = ByteCounts()
    last = b""
    with open(path, "rb") as fh:
        while chunk := fh.read(BLOCK_SIZE):
            counts.quotes += chunk.count(b'"')
            counts.lines += chunk.count(b"\n")
            counts.cr += chunk.count(b"\r")
            counts.crlf += chunk.count(b"\r\n")
            last = chunk[-1:]
    if last and last != b"\n":
        counts.lines += 1
    if counts.quotes % 2 == 0:
        return counts
    with _open_text(path, encoding) as fh:
        rows = _text_reader(fh, strict=True)
        start = 1
        try:
            for _ in rows:
                start = rows.line_num + 1
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                raise RefusedFile(
                    f"{file_name}: line {start}: a quoted field opens and never closes "
                    "(the file looks cut short); re-export it") from None
    return counts


def _schema(names: list[str]) -> pa.Schema:
    return pa.schema([*(pa.field(n, pa.string()) for n in names), pa.field("_line", pa.int64())])


def _numbered(batches: Iterator[pa.RecordBatch] | pa.RecordBatchReader,
              first: int = FIRST_DATA_LINE) -> Iterator[pa.RecordBatch]:
    """Append the record number to each batch (one arange per batch, not per row)."""
    line = first
    for batch in batches:
        n = batch.num_rows
        lines = pa.array(np.arange(line, line + n, dtype=np.int64))  # not range(): 20x slower
        line += n
        yield pa.RecordBatch.from_arrays([*batch.columns, lines],
                                         [*batch.schema.names, "_line"])


def _csv_rows_python(path: Path, encoding: str, names: list[str], headers: list[str],
                     bad_rows: list[BadRow]) -> Iterator[pa.RecordBatch]:
    """Fallback for files with rows of the wrong width: exact record numbers, row-wise."""
    width = len(names)
    cols: list[list[str]] = [[] for _ in names]
    lines: list[int] = []
    with _open_text(path, encoding) as fh:
        rows = _text_reader(fh)
        next(rows, None)
        for number, row in enumerate(rows, start=FIRST_DATA_LINE):
            if not row:
                continue
            if len(row) != width:
                text = dict(zip(headers, row, strict=False))
                text.update({f"_field_{i + 1}": v for i, v in enumerate(row) if i >= width})
                bad_rows.append(BadRow(number, json.dumps(text, ensure_ascii=False),
                                       f"row has {len(row)} fields but the header has {width}"))
                continue
            for col, value in zip(cols, row, strict=True):
                col.append(value)
            lines.append(number)
            if len(lines) >= SLOW_BATCH_ROWS:
                yield _batch(cols, lines, names)
                cols, lines = [[] for _ in names], []
    if lines:
        yield _batch(cols, lines, names)


def _batch(cols: list[list[str]], lines: list[int], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array(c, pa.string()) for c in cols] + [pa.array(lines, pa.int64())]
    return pa.RecordBatch.from_arrays(arrays, [*names, "_line"])


# --- JSON Lines --------------------------------------------------------------------------

def read_jsonl(path: Path, file_name: str) -> FileRead:
    """Each physical line as one text value; parsing happens in SQL."""
    encoding = detect_encoding(path, file_name)
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(
            column_names=["line"], block_size=BLOCK_SIZE,
            encoding="utf8" if encoding == "utf-8" else encoding),
        # A raw U+0001 cannot occur in JSON text, so no line is ever split into fields;
        # a line holding one is invalid anyway and shows up as such in SQL.
        parse_options=pacsv.ParseOptions(delimiter="\x01", quote_char=False,
                                         escape_char=False, ignore_empty_lines=False,
                                         invalid_row_handler=lambda row: "skip"),
        convert_options=pacsv.ConvertOptions(column_types={"line": pa.string()},
                                             strings_can_be_null=False),
    )
    schema = pa.schema([pa.field("line", pa.string()), pa.field("_line", pa.int64())])
    stream = pa.RecordBatchReader.from_batches(schema, _numbered(reader, first=1))
    return FileRead(file_name, "jsonl", stream, None, encoding)


# --- XLSX --------------------------------------------------------------------------------

def read_xlsx(path: Path, file_name: str, source: Source) -> FileRead:
    """First sheet, header row; date/time cells become 'YYYY-MM-DD HH:MM:SS' text."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:
        raise RefusedFile(f"{file_name}: not a readable XLSX workbook ({exc})") from exc
    if not rows or not any(_cell_text(v).strip() for v in rows[0]):
        raise RefusedFile(f"{file_name}: the first sheet is empty or has no header row")
    headers = [_cell_text(v).strip() for v in rows[0]]
    while headers and not headers[-1]:
        headers.pop()
    header = match_headers(source, headers, file_name)
    names = column_names(len(headers))
    cols: list[list[str]] = [[] for _ in names]
    lines: list[int] = []
    for number, row in enumerate(rows[1:], start=FIRST_DATA_LINE):
        texts = [_cell_text(v) for v in row]
        if not any(t.strip() for t in texts):
            continue
        texts = (texts + [""] * len(names))[: len(names)]
        for col, value in zip(cols, texts, strict=True):
            col.append(value)
        lines.append(number)
    batch = _batch(cols, lines, names)
    stream = pa.RecordBatchReader.from_batches(batch.schema, iter([batch]))
    return FileRead(file_name, "xlsx", stream, header)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d 00:00:00")
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value)


# --- dispatch ----------------------------------------------------------------------------

def open_file(path: Path, file_name: str, source: Source, slow: bool = False,
              native: bool = False) -> FileRead:
    """Open a landed file by its extension; refuse extensions the contract does not name.
    ``native``: a CSV file may be left to DuckDB's reader (``read_csv``)."""
    ext = path.suffix.lower()
    if ext == ".csv":
        return read_csv(path, file_name, source, slow=slow, native=native)
    if ext == ".jsonl":
        return read_jsonl(path, file_name)
    if ext == ".xlsx":
        return read_xlsx(path, file_name, source)
    raise RefusedFile(
        f"{file_name}: extension '{path.suffix or '(none)'}' is not accepted "
        f"(only {', '.join(ACCEPTED_EXTENSIONS)})"
    )


def with_progress(stream: pa.RecordBatchReader,
                  on_rows: Callable[[int], None]) -> pa.RecordBatchReader:
    """The same stream, calling on_rows(n) after each batch (for progress display)."""

    def batches() -> Iterator[pa.RecordBatch]:
        for batch in stream:
            yield batch
            on_rows(batch.num_rows)

    return pa.RecordBatchReader.from_batches(stream.schema, batches())


__all__ = ["BadRow", "FileRead", "HeaderMap", "NativeCsv", "RefusedFile", "detect_encoding",
           "match_headers", "open_file", "with_progress"]
