"""``iter_responses``: the answers of a survey file chunk by chunk, in bounded memory.

``read_responses`` holds a file's bytes, its text and its whole table at once. For
files of a million answers and more, ``iter_responses`` streams the same answers as
tables of at most ``rows`` file rows each (a respondent's answers always in one
chunk), in file order. Concatenated, the chunks are ``read_responses``' table: same
columns, dtypes, values and ids, the index running on from chunk to chunk; after the
last chunk ``info`` is the same :class:`ReadInfo`.

Example:
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
    >>> _ = path.write_text("id,q1,q2\\nA,Encryption,More staff\\nB,Bitcoin,\\n", encoding="utf-8")
    >>> chunks = iter_responses(path, text=["q1", "q2"], id="id", rows=1)
    >>> [chunk["response_id"].tolist() for chunk in chunks]
    [['A:q1', 'A:q2'], ['B:q1', 'B:q2']]
    >>> chunks.info.n_rows, chunks.info.n_responses
    (2, 4)

What is held at once: one chunk (with what pandas or the format's reader buffers
for it), the first 4 MB of a text file while its encoding and delimiter are
detected, and 8 bytes per respondent to notice repeated ids. Two readers hold
more: openpyxl keeps a workbook's table of distinct strings, and pyreadstat reads
each chunk of an SPSS or Stata file from the file's start (slow for compressed
``.zsav`` files). Formats whose cells carry their own types (all but CSV and TSV)
are read once more first, only the attribute columns where the format allows it:
pandas gives a column its dtype from all of its values (strings and missing values
make ``str``, one number among them ``object``), so each chunk's attributes get the
dtype their column has in the whole file. JSON Lines files are read once more
still, for their keys and the dtypes of their columns.

Where streaming differs from ``read_responses``:

- A malformed row or a NUL byte late in a CSV or TSV file is raised when reached,
  after the chunks before it (``read_responses`` raises it before any table).
- A text file that starts as UTF-8 (with non-ASCII characters) or Windows-1252
  and has other bytes beyond its first 4 MB is refused as mixing encodings;
  ``read_responses`` would decode it all with another encoding. (A file whose
  start is ASCII is read on as Windows-1252, as ``read_responses`` reads it.)
- In a workbook, cells past the header's last column on rows after the first
  three data rows give columns (``Unnamed: n``) that ``info`` lists but that
  cannot be chosen.
"""

from __future__ import annotations

import codecs
import io
import itertools
import math
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from openends.errors import ConfigError, InputFileError
from openends.io.detect import (
    binary_data_error,
    decode_text,
    nul_characters_error,
    text_encoding,
)
from openends.io.info import ReadInfo
from openends.io.responses import ColumnSpec, IdCheck, ResponseLayout
from openends.io.tables import (
    EXCEL_TEXT,
    choose_sheet,
    csv_errors,
    csv_options,
    drop_survey_header_rows,
    empty_table_error,
    filled,
    json_record,
    label_values,
    open_workbook,
    parquet_error,
    read_file_bytes,
    statistical_error,
    statistical_reader,
    table_format,
    table_info,
)

DEFAULT_ROWS = 20_000
_HEAD_BYTES = 4 * 2**20  # the start of a text file, for its encoding and delimiter
_READ_BYTES = 2**18  # what a stream reads from disk at a time
_SNIFF_CHARS = 2**20
# Where str.splitlines() splits, as read_table splits JSON Lines.
_LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_NON_ASCII = bytes(range(0x80, 0x100))


def iter_responses(
    path: str | Path,
    text: str | Sequence[str] | Mapping[str, str],
    id: str | None = None,
    attrs: ColumnSpec = None,
    sheet: str | None = None,
    *,
    source: str | None = None,
    rows: int = DEFAULT_ROWS,
) -> ResponseChunks:
    """The answers of one survey file as chunks of at most ``rows`` file rows.

    Arguments, errors and the table are those of
    :func:`~openends.io.read_responses`. The file is read when the chunks are
    iterated (again for each iteration); column choices are checked before the
    first chunk. An error that needs the whole file (an empty or repeated id) is
    raised when the chunk holding the first such row is reached, after the rest
    of the file is checked so it names rows as ``read_responses`` does; chunks
    already yielded are to be discarded.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "wave.tsv"
        >>> _ = path.write_text("answer\\nEncryption\\n\\nBitcoin\\n", encoding="utf-8")
        >>> chunks = iter_responses(path, text="answer", rows=2)
        >>> [chunk["text"].tolist() for chunk in chunks]
        [['Encryption', ''], ['Bitcoin']]
        >>> chunks.info.describe()
        'TSV, utf-8, delimiter "TAB"'
    """
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 1:
        raise ConfigError(f"rows per chunk must be a whole number of at least 1, not {rows!r}")
    return ResponseChunks(Path(path), text, id, attrs, sheet, source=source, rows=rows)


class ResponseChunks:
    """The answers of one survey file, chunk by chunk: see :func:`iter_responses`.

    Example:
        >>> import tempfile
        >>> path = Path(tempfile.mkdtemp()) / "wave.csv"
        >>> _ = path.write_text("answer\\nEncryption\\nBitcoin\\nTor\\n", encoding="utf-8")
        >>> chunks = iter_responses(path, text="answer", rows=2)
        >>> [chunk.index.tolist() for chunk in chunks]
        [[0, 1], [2]]
    """

    def __init__(self, path: Path, text: ColumnSpec, id: str | None, attrs: ColumnSpec,
                 sheet: str | None, *, source: str | None, rows: int) -> None:
        self.path = path
        self.text = text
        self.id = id
        self.attrs = attrs
        self.sheet = sheet
        self.source = source
        self.rows = rows
        self._info: ReadInfo | None = None

    @property
    def info(self) -> ReadInfo:
        """What was read and detected, as ``read_responses`` reports it; known at the end."""
        if self._info is None:
            raise RuntimeError(f"{self.path.name}: the ReadInfo is known once the last chunk "
                               "has been read; iterate over all chunks first")
        return self._info

    def __repr__(self) -> str:
        return f"ResponseChunks({str(self.path)!r}, rows={self.rows})"

    def __iter__(self) -> Iterator[pd.DataFrame]:
        table = _SurveyTable(self.path, self.sheet)
        layout = ResponseLayout.choose(table.columns, self.path, self.text, self.id, self.attrs,
                                       source=self.source)
        kinds = _attribute_kinds(table, layout, self.rows)
        ids = _IdWatch(table, layout, self.rows)
        n_rows = n_responses = 0
        for block in table.blocks(self.rows):
            respondent_ids = layout.respondent_ids(block, first_row=n_rows + 1)
            ids.check(respondent_ids)
            attributes = {
                name: kinds[name].as_in_file(block[column].to_numpy()) if kinds
                else block[column].to_numpy()
                for name, column in layout.attributes.items()
            }
            chunk = layout.answers(block, respondent_ids, attributes)
            chunk.index = pd.RangeIndex(n_responses, n_responses + len(chunk))
            n_rows, n_responses = n_rows + len(block), n_responses + len(chunk)
            yield chunk
        self._info = layout.describe(table.info(n_rows), n_responses)


class _SurveyTable:
    """A survey file's raw table as blocks of data rows: columns as text, header rows skipped.

    Opening reads the file's start: its format, what the format's reader detects,
    the Qualtrics header rows and whether there is any data row.
    """

    def __init__(self, path: Path, sheet: str | None) -> None:
        head = read_file_bytes(path, _HEAD_BYTES)
        self.path = path
        self.format = table_format(path, head, sheet)
        self.source = _SOURCES[self.format](path, head, sheet)
        start = _first_rows(self.source.blocks(3), 3)  # enough for 2 header rows and a data row
        start.columns = [str(column) for column in start.columns]
        labels = self.source.details.get("column_labels", {})
        data, self.skipped, self.labels = drop_survey_header_rows(start, labels)
        if data.empty:
            raise empty_table_error(path, start.columns)
        self.columns = tuple(start.columns)

    def blocks(self, rows: int, columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        """One pass over the data rows, ``rows`` at a time (fewer for the first); ``columns``
        lets formats that can read only those columns do so."""
        skip = self.skipped
        for block in self.source.blocks(rows, columns):
            if skip:
                block, skip = block.iloc[skip:], max(0, skip - len(block))
            if len(block):
                block.columns = [str(column) for column in block.columns]
                yield block

    def info(self, n_rows: int) -> ReadInfo:
        """The table's ReadInfo after a whole pass of ``n_rows`` data rows."""
        details = {key: value for key, value in self.source.details.items()
                   if key != "column_labels"}
        return table_info(self.path, self.format, self.source.all_columns(self.columns), n_rows,
                          self.skipped, self.labels, details)


def _first_rows(blocks: Generator[pd.DataFrame, None, None], n: int) -> pd.DataFrame:
    """The first ``n`` rows of a pass (its columns, if it has no rows), ending the pass."""
    taken: list[pd.DataFrame] = []
    with closing(blocks):
        for block in blocks:
            taken.append(block)
            if sum(len(part) for part in taken) >= n:
                break
    return pd.concat(taken).iloc[:n]


# -- reading the rows: one source per format ------------------------------------------------
class _Source:
    """Reads one format's rows. ``blocks`` starts a new pass over the file each time and
    yields tables of at most ``rows`` rows (one table without rows when there are none).
    ``details`` holds the ReadInfo fields the reader detects."""

    typed = True  # cells carry their own types, so dtypes depend on which values a chunk has

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        self.path = path
        self.details: dict[str, Any] = {}

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        raise NotImplementedError

    def all_columns(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        """The whole table's columns, once a pass has read every row."""
        return columns


class _Delimited(_Source):
    """CSV and TSV: the encoding and delimiter detected from the file's first MBs, then
    ``pandas.read_csv`` in chunks on the decoded text."""

    typed = False  # every cell is a string

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        super().__init__(path, head, sheet)
        encoding, text = _head_text(path, head)
        if not text.strip() and len(head) < _HEAD_BYTES:
            raise InputFileError(path, "is empty")
        self._options = csv_options(path, text)
        self.details = {"encoding": encoding, "delimiter": self._options["sep"]}

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        with _TextStream(self.path, self.details["encoding"], one_final_newline=True) as stream:
            with csv_errors(self.path), pd.read_csv(stream, chunksize=rows,
                                                    **self._options) as reader:
                yield from reader
            self.details["encoding"] = stream.codec


class _JsonLines(_Source):
    """JSON Lines, line by line. A first pass finds the keys (the columns) and the kinds of
    value each holds, so every block gets the dtypes pandas gives the whole table."""

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        super().__init__(path, head, sheet)
        encoding, _ = _head_text(path, head)
        self.details = {"encoding": encoding}
        self._kinds: dict[str, _Kinds] = {}
        present: dict[str, int] = {}
        n_records = 0
        for record in self._records():
            n_records += 1
            for key, value in record.items():
                if key not in self._kinds:
                    self._kinds[key] = _Kinds()
                self._kinds[key].add([value])
                present[key] = present.get(key, 0) + 1
        for key, kinds in self._kinds.items():
            if present[key] < n_records:
                kinds.add([_ABSENT])
        # Records holding one value of each kind each column has in the file, to go before
        # a block's records so that pandas infers the dtypes it infers for the whole file.
        samples = {key: list(kinds.samples.values()) for key, kinds in self._kinds.items()}
        self._typical = [
            {key: value for key, values in samples.items()
             if (value := values[index % len(values)]) is not _ABSENT}
            for index in range(max(map(len, samples.values()), default=0))
        ]

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        records: list[dict[str, Any]] = []
        yielded = False
        for record in self._records():
            records.append(record)
            if len(records) == rows:
                yield self._table(records)
                records, yielded = [], True
        if records or not yielded:
            yield self._table(records)

    def _records(self) -> Iterator[dict[str, Any]]:
        with _TextStream(self.path, self.details["encoding"]) as stream:
            for line_number, line in enumerate(_lines(stream), start=1):
                record = json_record(self.path, line_number, line)
                if record is not None:
                    yield record
            self.details["encoding"] = stream.codec

    def _table(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        table = pd.DataFrame.from_records(self._typical + records, columns=list(self._kinds))
        return table.iloc[len(self._typical):].astype(object)


class _Workbook(_Source):
    """XLSX: the sheet's rows from openpyxl in read-only mode, cells converted as pandas
    converts them, trailing empty rows dropped as ``read_table`` drops them."""

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        super().__init__(path, head, sheet)
        with path.open("rb") as file, open_workbook(path, file) as workbook:
            self.sheet, sheets = choose_sheet(path, workbook, sheet)
            header = pd.read_excel(workbook, sheet_name=self.sheet, nrows=0, **EXCEL_TEXT).columns
            first_rows = list(itertools.islice(_sheet_rows(workbook, self.sheet), 4))
        self.details = {"sheet": self.sheet, "sheets": sheets}
        self._header = [str(name) for name in header]
        # pandas also names the columns of cells past the header's last one. The blocks
        # have those of the first rows; info has all (see all_columns).
        self._widest = max([len(header), *map(_width, first_rows)])
        self._columns = self._named(self._widest)

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        n_columns = len(self._columns)
        empty_row: list[object] = [None] * n_columns
        block: list[list[object]] = []
        blank_rows = 0  # kept if a filled row follows: only trailing empty rows are dropped
        yielded = False
        with self.path.open("rb") as file, open_workbook(self.path, file) as workbook:
            for values in itertools.islice(_sheet_rows(workbook, self.sheet), 1, None):
                self._widest = max(self._widest, _width(values))
                if not any(filled(value) for value in values):
                    blank_rows += 1
                    continue
                row = (values + [None] * n_columns)[:n_columns]
                for kept in itertools.chain(itertools.repeat(empty_row, blank_rows), [row]):
                    block.append(kept)
                    if len(block) == rows:
                        yield self._table(block)
                        block, yielded = [], True
                blank_rows = 0
        if block or not yielded:
            yield self._table(block)

    def all_columns(self, columns: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(self._named(self._widest))

    def _named(self, width: int) -> list[str]:
        return self._header + [f"Unnamed: {index}" for index in range(len(self._header), width)]

    def _table(self, block: list[list[object]]) -> pd.DataFrame:
        return pd.DataFrame(block, columns=self._columns, dtype=object)


def _sheet_rows(workbook: pd.ExcelFile, sheet: str) -> Iterator[list[object]]:
    """The sheet's rows of cell values, the header first, converted as pandas' openpyxl
    reader converts them, with "" as None (as ``read_table`` has it)."""
    from openpyxl.cell.cell import TYPE_ERROR, TYPE_NUMERIC

    worksheet = workbook.book[sheet]
    worksheet.reset_dimensions()  # read-only sheets may declare a wrong size; pandas does this
    for cells in worksheet.rows:
        values: list[object] = []
        for cell in cells:
            value = cell.value
            if value is None or (isinstance(value, str) and not value):
                values.append(None)
            elif cell.data_type == TYPE_ERROR:
                values.append(math.nan)
            elif cell.data_type == TYPE_NUMERIC and int(value) == value:
                values.append(int(value))
            elif cell.data_type == TYPE_NUMERIC:
                values.append(float(value))
            else:
                values.append(value)
        yield values


def _width(values: list[object]) -> int:
    """The row's width as pandas counts it: up to its last non-empty cell."""
    width = len(values)
    while width and values[width - 1] is None:
        width -= 1
    return width


class _Parquet(_Source):
    """Parquet: pyarrow's record batches, converted as ``pandas.read_parquet`` converts."""

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        super().__init__(path, head, sheet)
        self._open().close()

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        import pyarrow as pa

        with closing(self._open()) as file:
            try:
                yielded = False
                for batch in file.iter_batches(batch_size=rows, columns=columns,
                                               use_pandas_metadata=True):
                    yield pa.Table.from_batches([batch]).to_pandas().reset_index(drop=True)
                    yielded = True
                if not yielded:
                    yield file.schema_arrow.empty_table().to_pandas()
            except (pa.ArrowException, OSError) as error:
                raise parquet_error(self.path, error) from None

    def _open(self) -> Any:
        import pyarrow.parquet as pq

        try:
            return pq.ParquetFile(self.path, buffer_size=_READ_BYTES, pre_buffer=False)
        except Exception as error:  # pyarrow raises several unrelated types for bad files
            raise parquet_error(self.path, error) from None


class _Statistical(_Source):
    """SPSS and Stata: ``pyreadstat.read_file_in_chunks``, value labels applied per chunk as
    ``read_table`` applies them."""

    def __init__(self, path: Path, head: bytes, sheet: str | None) -> None:
        super().__init__(path, head, sheet)
        self._read, self._kind = statistical_reader(path, head)
        try:
            empty, meta = self._read(str(path), metadataonly=True)
        except Exception as error:  # pyreadstat raises its own and OSError-like types
            raise statistical_error(path, self._kind, error) from None
        self._empty, self.details = label_values(empty, meta)

    def blocks(self, rows: int,
               columns: Sequence[str] | None = None) -> Generator[pd.DataFrame, None, None]:
        import pyreadstat

        chunks = pyreadstat.read_file_in_chunks(
            self._read, str(self.path), chunksize=rows, apply_value_formats=False,
            usecols=list(columns) if columns is not None else None)
        yielded = False
        while True:
            try:
                table, meta = next(chunks)
            except StopIteration:
                break
            except Exception as error:  # as in read_table
                raise statistical_error(self.path, self._kind, error) from None
            yield label_values(table, meta)[0]
            yielded = True
        if not yielded:
            yield self._empty


_SOURCES: dict[str, type[_Source]] = {
    "csv": _Delimited,
    "tsv": _Delimited,
    "jsonl": _JsonLines,
    "xlsx": _Workbook,
    "parquet": _Parquet,
    "sav": _Statistical,
    "dta": _Statistical,
}


# -- text -----------------------------------------------------------------------------------
def _head_text(path: Path, head: bytes) -> tuple[str, str]:
    """The encoding of a text file from its first bytes, and its start decoded (for sniffing).

    A whole file (shorter than the head) is decoded as ``read_table`` decodes it.
    """
    if len(head) < _HEAD_BYTES:
        text, encoding = decode_text(path, head)
        return encoding, text
    # A character may be cut at the end of the head: detect on whole characters.
    encoding = text_encoding(path, head.rstrip(_NON_ASCII))
    with _TextStream(path, encoding) as stream:
        return encoding, stream.read(_SNIFF_CHARS)


class _TextStream(io.TextIOBase):
    """A text file decoded a block at a time, as ``decode_text`` decodes it whole.

    The BOM goes, NUL characters raise the same errors. With ``one_final_newline``
    the file's closing line breaks become one, as ``read_table`` hands pandas
    ``text.rstrip("\\r\\n") + "\\n"`` (so a one-column file ends without empty answers).

    The encoding was detected from the start of the file. If that start was ASCII,
    detected as UTF-8, and bytes further on are not UTF-8, the file is read as
    Windows-1252 (``codec`` says so), as ``detect_encoding`` would have chosen.
    """

    def __init__(self, path: Path, encoding: str, *, one_final_newline: bool = False) -> None:
        super().__init__()
        self.path = path
        self.codec = encoding
        self._file = path.open("rb")
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._one_final_newline = one_final_newline
        self._ascii_so_far = True
        self._bytes_read = 0
        self._started = False
        self._held = ""  # line breaks held back until text follows them
        self._buffer = ""
        self._ended = False

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> str:
        while not self._ended and (size is None or size < 0 or len(self._buffer) < size):
            self._buffer += self._next_text()
        end = len(self._buffer) if size is None or size < 0 else size
        text, self._buffer = self._buffer[:end], self._buffer[end:]
        return text

    def close(self) -> None:
        self._file.close()
        super().close()

    def _next_text(self) -> str:
        raw = self._file.read(_READ_BYTES)
        self._ended = not raw
        text = self._decode(raw)
        if "\x00" in text:
            raise (nul_characters_error if self.codec.startswith("utf-16")
                   else binary_data_error)(self.path)
        if not self._started and text:
            text, self._started = text.removeprefix("\ufeff"), True
        if not self._one_final_newline:
            return text
        body = text.rstrip("\r\n")
        if body:
            text, self._held = self._held + body, text[len(body):]
        else:
            text, self._held = "", self._held + text
        return text + "\n" if self._ended else text

    def _decode(self, raw: bytes) -> str:
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            if self.codec == "utf-8" and self._ascii_so_far:
                # All before was ASCII, which Windows-1252 reads alike: it is a Windows-1252
                # file whose first other bytes come after the part the encoding was told from.
                self.codec, self._decoder = "cp1252", codecs.getincrementaldecoder("cp1252")()
                return self._decode(raw)
            if self.codec in {"utf-8", "cp1252"}:
                raise InputFileError(
                    self.path, f"starts as {self.codec} text but has other bytes after byte "
                    f"{self._bytes_read:,}: it mixes encodings. Save it again in one encoding, "
                    "such as UTF-8") from None
            raise binary_data_error(self.path) from None
        self._ascii_so_far = self._ascii_so_far and raw.isascii()
        self._bytes_read += len(raw)
        return text


def _lines(stream: _TextStream) -> Iterator[str]:
    """The stream's lines, split where ``str.splitlines`` splits the whole text."""
    rest = ""
    while text := stream.read(_READ_BYTES):
        lines = (rest + text).splitlines(keepends=True)
        # The last line may go on in the next block (a "\r" may be half of "\r\n").
        last = lines[-1]
        rest = lines.pop() if last[-1] not in _LINE_BREAKS or last.endswith("\r") else ""
        for line in lines:
            yield line.splitlines()[0]
    yield from rest.splitlines()


# -- dtypes and ids -------------------------------------------------------------------------
class _Absent:
    """A JSON key missing from a record."""

    def __repr__(self) -> str:
        return "<absent>"


_ABSENT = _Absent()


def _kind(value: object) -> tuple[object, ...]:
    """What pandas' dtype inference looks at in a value: its type, whether it is missing,
    its time zone, and for an integer whether it fits 64 bits."""
    if isinstance(value, str):
        return (str,)
    missing = pd.api.types.is_scalar(value) and bool(pd.isna(cast(Any, value)))
    size = (value >= 2**63, value < -(2**63)) if type(value) is int else None
    return (type(value), missing, getattr(value, "tzinfo", None), size)


class _Kinds:
    """One value of each kind that a column holds in the whole file, and its numpy dtypes.

    Example:
        >>> kinds = _Kinds()
        >>> kinds.add(np.array(["North", None], dtype=object))
        >>> kinds.add(np.array([None], dtype=object))
        >>> kinds.as_in_file(np.array([None], dtype=object)).dtype
        <StringDtype(na_value=nan)>
    """

    def __init__(self) -> None:
        self.samples: dict[tuple[object, ...], object] = {}
        self.dtypes: set[np.dtype[Any]] = set()

    def add(self, values: Iterable[object]) -> None:
        """Note the kinds of ``values`` (an array, or a list of single values)."""
        if isinstance(values, np.ndarray):
            self.dtypes.add(values.dtype)
            values = values.astype(object)
        for value in values:
            self.samples.setdefault(_kind(value), value)

    def as_in_file(self, values: np.ndarray) -> pd.Series:
        """``values`` (some of the column's) as pandas has them in the whole column."""
        if np.dtype(object) not in self.dtypes:  # numbers, booleans, dates: their common dtype
            return pd.Series(values.astype(np.result_type(*self.dtypes)))
        samples = np.empty(len(self.samples), dtype=object)
        samples[:] = list(self.samples.values())
        inferred = pd.Series(np.concatenate([samples, values.astype(object)]))
        return inferred.iloc[len(samples):].reset_index(drop=True)


def _attribute_kinds(table: _SurveyTable, layout: ResponseLayout,
                     rows: int) -> dict[str, _Kinds] | None:
    """The kinds of value each attribute column holds, from a pass over those columns;
    None when every cell is a string (CSV, TSV) and chunks get the same dtypes anyway."""
    if not table.source.typed or not layout.attributes:
        return None
    kinds = {name: _Kinds() for name in layout.attributes}
    for block in table.blocks(rows, sorted(set(layout.attributes.values()))):
        for name, column in layout.attributes.items():
            kinds[name].add(block[column].to_numpy())
    return kinds


class _IdWatch:
    """Notices an empty or repeated id from 64-bit hashes of the ids met so far (8 bytes
    per respondent); then checks the whole file's ids exactly, so the error is the one
    ``read_responses`` raises (a hash collision alone raises nothing)."""

    def __init__(self, table: _SurveyTable, layout: ResponseLayout, rows: int) -> None:
        self._table, self._layout, self._rows = table, layout, rows
        self._watching = layout.id_column is not None
        self._hashes = np.empty(0, dtype=np.uint64)  # sorted

    def check(self, ids: list[str]) -> None:
        """Note the ids of the next rows; raise the error if one is empty or repeated."""
        if not self._watching:
            return
        hashes = np.sort(pd.util.hash_array(np.array(ids, dtype=object)))
        where = np.searchsorted(self._hashes, hashes)
        known = where < len(self._hashes)
        repeated = (bool(np.any(hashes[1:] == hashes[:-1]))
                    or bool(np.any(self._hashes[where[known]] == hashes[known])))
        if repeated or any(not value.strip() for value in ids):
            self._check_file()
            self._watching = False  # all ids were checked: they are fine (hashes collided)
            return
        self._hashes = np.insert(self._hashes, where, hashes)

    def _check_file(self) -> None:
        assert self._layout.id_column is not None
        check = IdCheck(self._layout.id_column, self._table.path)
        first_row = 1
        for block in self._table.blocks(self._rows, [self._layout.id_column]):
            check.add(self._layout.respondent_ids(block, first_row), first_row)
            first_row += len(block)
        check.raise_errors()
