"""Property tests: whatever bytes a file holds, load() returns a Dataset or raises DataError, nothing else."""
import gzip
import io
import struct
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import data
from engine.data import DataError, Dataset

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NAMES = ["d.csv", "d.tsv", "d.txt", "d.npy", "d.npz", "d.gz", "t-images-idx3-ubyte", "t-labels-idx1-ubyte",
         "t-images-idx3-ubyte.gz", "noext", "d.dat"]
FOLDER = Path(tempfile.mkdtemp(prefix="clusterlab-prop-"))


def _load_ok_or_data_error(path):
    try:
        ds = data.load(path)
    except DataError as exc:
        assert str(exc).startswith(path.name), str(exc)
        return None
    assert isinstance(ds, Dataset)
    assert ds.X.ndim == 2 and ds.n >= 1 and ds.d >= 1 and np.isfinite(ds.X).all()
    if ds.labels is not None:
        assert ds.labels.shape == (ds.n,) and ds.labels.min() >= 0
    return ds


def _write(name, raw):
    p = FOLDER / name
    p.write_bytes(raw)
    return p


def _idx(arr, magic):
    return struct.pack(">I", magic) + struct.pack(">" + "I" * arr.ndim, *arr.shape) + arr.astype(np.uint8).tobytes()


def _valid_files():
    """One good file of each kind: name -> bytes."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 3))
    out = {}
    out["v.csv"] = ("a,b,c,label\n" + "\n".join(",".join(map(repr, r)) + f",{i % 2}"
                                                for i, r in enumerate(X.tolist())) + "\n").encode()
    out["v.tsv"] = "\n".join("\t".join(map(str, r)) + "\tcat" for r in X.tolist()).encode()
    buf = io.BytesIO()
    np.save(buf, X)
    out["v.npy"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez_compressed(buf, X=X, labels=np.arange(6) % 3)
    out["v.npz"] = buf.getvalue()
    buf = io.BytesIO()
    np.savez(buf, X=X)
    out["w.npz"] = buf.getvalue()
    imgs = _idx(rng.integers(0, 256, size=(4, 3, 3)), 0x803)
    out["v-images-idx3-ubyte"] = imgs
    out["v-images-idx3-ubyte.gz"] = gzip.compress(imgs)
    out["v-labels-idx1-ubyte"] = _idx(np.arange(4), 0x801)
    return out


VALID = _valid_files()


def test_valid_files_load():
    for name, raw in VALID.items():
        ds = _load_ok_or_data_error(_write(name, raw))
        assert ds is not None, name


@SETTINGS
@given(name=st.sampled_from(NAMES), raw=st.binary(min_size=0, max_size=600))
def test_random_bytes(name, raw):
    _load_ok_or_data_error(_write(name, raw))


@SETTINGS
@given(name=st.sampled_from(NAMES),
       prefix=st.sampled_from([b"\x93NUMPY\x01\x00", b"\x93NUMPY\x02\x00", b"PK\x03\x04", b"\x1f\x8b\x08\x00",
                               b"\x00\x00\x08\x03", b"\x00\x00\x08\x01", b"\xef\xbb\xbf"]),
       raw=st.binary(max_size=300))
def test_random_bytes_after_a_magic_number(name, prefix, raw):
    _load_ok_or_data_error(_write(name, prefix + raw))


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(VALID)))
    raw = bytearray(VALID[name])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        if not raw:
            break
        i = draw(st.integers(0, len(raw) - 1))
        if op == "truncate":
            raw = raw[:i]
        elif op == "flip":
            raw[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "insert":
            raw[i:i] = draw(st.binary(min_size=1, max_size=8))
        else:
            del raw[i:i + draw(st.integers(1, 8))]
    return name, bytes(raw)


@SETTINGS
@given(mutated())
def test_mutated_valid_files(case):
    name, raw = case
    _load_ok_or_data_error(_write("m" + name, raw))


@SETTINGS
@given(rows=st.lists(st.lists(st.one_of(
    st.floats(allow_nan=True, allow_infinity=True, width=32).map(repr),
    st.sampled_from(["", "NA", "?", "nan", "x", "lbl", '"q,uoted"', "1,5", " 3 "]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6)),
    min_size=1, max_size=5), min_size=1, max_size=8),
    sep=st.sampled_from([",", "\t", ";", " "]))
def test_random_tables(rows, sep):
    text = "\n".join(sep.join(r) for r in rows)
    _load_ok_or_data_error(_write("table.csv", text.encode("utf-8", "surrogatepass")))


@SETTINGS
@given(X=st.lists(st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=2, max_size=2),
                  min_size=1, max_size=6),
       labels=st.booleans())
def test_save_csv_load_round_trip(X, labels):
    X = np.array(X)
    lab = np.arange(len(X)) % 2 if labels else None
    p = FOLDER / "rt.csv"
    data.save_csv(p, X, labels=lab)
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, X)
    if labels:
        assert ds.labels.tolist() == lab.tolist()


@pytest.mark.parametrize("member_size", [10 ** 9, 3 * 2 ** 30])
def test_forged_zip_directory_sizes_are_refused(member_size):
    """A .npz whose central directory declares a huge member size is refused without decompressing."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("X.npy", VALID["v.npy"])
    raw = bytearray(buf.getvalue())
    cd = raw.rindex(b"PK\x01\x02")
    struct.pack_into("<I", raw, cd + 24, member_size)  # uncompressed size in the central directory
    with pytest.raises(DataError, match="^bomb.npz: "):
        data.load(_write("bomb.npz", bytes(raw)))


# ------------------------------------------------------------------ every loader, random bytes, within 2 s
def _loaders():
    """Every public reader of bytes or files: name -> fn(path, raw) (raises DataError or returns)."""
    from engine.data.idx import decode_idx, read_idx
    from engine.data.text import text_dataset
    from engine.data.textstream import read_text
    return {
        "load": lambda path, raw: data.load(path),
        "read_idx": lambda path, raw: read_idx(path),
        "decode_idx": lambda path, raw: decode_idx(raw, path.name),
        "text_dataset": lambda path, raw: text_dataset(raw, path.name, str(path)),
        "read_text": lambda path, raw: read_text(path, path.name),
        "read_text_gz": lambda path, raw: read_text(path, path.name, gz=True),
    }


LOADERS = _loaders()
FAST = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(loader=st.sampled_from(sorted(LOADERS)), name=st.sampled_from(NAMES),
       prefix=st.sampled_from([b"", b"\x1f\x8b\x08\x00", b"\xff\xfe", b"\xfe\xff", b"\x93NUMPY\x01\x00", b"PK\x03\x04",
                               b"\x00\x00\x08\x03", b"x,y\n"]),
       raw=st.binary(max_size=2000))
def test_every_loader_raises_only_its_data_error_within_two_seconds(loader, name, prefix, raw):
    path = _write(name, prefix + raw)
    try:
        LOADERS[loader](path, prefix + raw)
    except DataError as exc:
        assert str(exc).startswith(path.name), str(exc)


@FAST
@given(raw=st.binary(max_size=3000), codec=st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "latin-1"]))
def test_text_in_any_encoding_or_none_raises_only_data_error(raw, codec):
    text = raw.decode("latin-1")
    path = _write("enc.csv", text.encode(codec))
    _load_ok_or_data_error(path)
