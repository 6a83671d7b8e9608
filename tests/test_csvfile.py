"""The one CSV writer: proper quoting through the csv module, atomic replacement, refusing odd targets."""
import csv

import pytest

from engine.core.csvfile import format_rows, write_rows


def test_names_with_commas_quotes_and_line_breaks_read_back(tmp_path):
    names = ['a, b', '5" disk', "two\nlines", "plain"]
    path = write_rows(tmp_path / "t.csv", ["name", "value"], [[n, i] for i, n in enumerate(names)])
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["name", "value"] and [r[0] for r in rows[1:]] == names
    assert [r[1] for r in rows[1:]] == ["0", "1", "2", "3"]
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def test_floats_are_written_to_read_back_exactly():
    values = [0.1, 1 / 3, 1e-300, -2.5e16]
    text = format_rows(None, [values])
    assert [float(v) for v in text.strip().split(",")] == values  # the shortest text of each float


def test_quote_every_text_cell_keeps_an_empty_name():
    assert format_rows(["x", ""], [[1.5, ""]], csv.QUOTE_NONNUMERIC) == '"x",""\n1.5,""\n'


def test_a_folder_is_refused_and_left_alone(tmp_path):
    (tmp_path / "d.csv").mkdir()
    with pytest.raises(OSError):
        write_rows(tmp_path / "d.csv", ["x"], [[1]])
    assert (tmp_path / "d.csv").is_dir()


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("old\n")

    def rows():
        yield [1]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_rows(path, ["x"], rows())
    assert path.read_text() == "old\n" and [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_a_missing_folder_is_an_os_error(tmp_path):
    with pytest.raises(OSError):
        write_rows(tmp_path / "nope" / "t.csv", ["x"], [[1]])
