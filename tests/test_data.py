"""engine.data / engine.data.loaders / engine.data.generators: datasets, loaders, examples, generators, PCA."""
import gzip
import struct
import zipfile

import numpy as np
import pytest
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

from engine import data

from engine.data import loaders
from engine.data import DataError, Dataset

RES = data.mnist_resource_dir()


# ------------------------------------------------------------------ Dataset
def test_dataset_is_read_only_copy_and_validated():
    a = np.arange(6.0).reshape(3, 2)
    ds = Dataset(a, labels=[0, 1, 1], name="t")
    a[0, 0] = 99
    assert ds.X[0, 0] == 0 and not ds.X.flags.writeable and not ds.labels.flags.writeable
    assert ds.X.dtype == np.float64 and ds.labels.dtype == np.int64
    assert (ds.n, ds.d, ds.n_labels) == (3, 2, 2)
    with pytest.raises(DataError, match="labels"):
        Dataset(a, labels=[0, 1])
    with pytest.raises(DataError, match=">= 0, or -1"):
        Dataset(a, labels=[0, -2, 1])
    grouped = Dataset(a, labels=[0, -1, 1])  # -1: a point in no group (painted starting groups)
    assert grouped.labels.tolist() == [0, -1, 1] and (grouped.n_labels, grouped.unlabelled) == (2, 1)
    assert grouped.replace(name="z").labels.tolist() == [0, -1, 1] and type(grouped) is Dataset
    assert ds.unlabelled == 0 and Dataset(a).unlabelled == 3
    with pytest.raises(DataError, match="image_shape"):
        Dataset(a, image_shape=(1, 3))
    with pytest.raises(DataError, match="NaN"):
        Dataset([[np.nan, 1.0]])
    with pytest.raises(DataError, match="shape"):
        Dataset(np.zeros((0, 2)))
    with pytest.raises(DataError, match="no name"):
        Dataset(a, labels=[0, 1, 2], label_names=("a", "b"))
    with pytest.raises(DataError, match="point_names"):
        Dataset(a, point_names=("a",))
    with pytest.raises(AttributeError):
        ds.name = "other"


def test_dataset_with_x_and_replace():
    ds = Dataset(np.ones((4, 4)), labels=[0, 1, 0, 1], image_shape=(2, 2), name="img")
    same = ds.with_X(np.zeros((4, 4)))
    assert same.image_shape == (2, 2) and same.labels.tolist() == [0, 1, 0, 1] and same.X.sum() == 0
    flat = ds.with_X(np.zeros((4, 2)))
    assert flat.image_shape is None and flat.name == "img"
    assert ds.replace(name="x").name == "x" and ds.name == "img"
    with pytest.raises(DataError):
        ds.with_X(np.zeros((3, 4)))


# -------------------------------------------------------------------- MNIST
@pytest.mark.slow
def test_mnist_first_images():
    ds = data.mnist()
    assert ds.X.shape == (6000, 784) and ds.image_shape == (28, 28)
    assert ds.labels[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]  # the test set's documented first labels
    assert ds.X.min() == 0.0 and ds.X.max() == 1.0 and ds.name == "MNIST (first 6000 test images)"
    assert set(np.unique(ds.labels).tolist()) == set(range(10))
    # independent decode of the shipped file
    raw = gzip.decompress((RES / data.MNIST_IMAGES).read_bytes())
    assert struct.unpack(">IIII", raw[:16]) == (0x803, 10000, 28, 28)
    first = np.frombuffer(raw, np.uint8, 784, 16) / 255.0
    np.testing.assert_array_equal(ds.X[0], first)
    decoded = data.mnist_arrays.cache_info().misses
    small = data.mnist(10)  # the shipped files are decoded once, not again for every call
    assert data.mnist_arrays.cache_info().misses == decoded and small.X.shape == (10, 784)
    np.testing.assert_array_equal(small.X, ds.X[:10])
    assert data.mnist(10000).n == 10000


@pytest.mark.parametrize("n", [0, 10001, -5, 2.5, True, "10"])
def test_mnist_bad_n(n):
    with pytest.raises(DataError, match="between 1 and 10000"):
        data.mnist(n)


def test_binarize():
    X = np.array([[0.0, 0.5, 0.51, 1.0]])
    assert data.binarize(X).tolist() == [[0.0, 0.0, 1.0, 1.0]]
    assert data.binarize(X, threshold=0.0).tolist() == [[0.0, 1.0, 1.0, 1.0]]
    ds = data.binarize(Dataset(X, image_shape=(2, 2)))
    assert isinstance(ds, Dataset) and ds.image_shape == (2, 2) and set(ds.X.ravel()) == {0.0, 1.0}


# ---------------------------------------------------------------- examples
def test_examples_exact_values():
    four = data.example("four-points")
    np.testing.assert_array_equal(four.X, [[0.1, 0.5], [0.35, 0.75], [0.28, 1.35], [0.0, 1.01]])
    assert four.labels.tolist() == [0, 0, 1, 2]
    assert four.label_names == ("black", "red", "blue") and four.point_names == ("x1", "x2", "x3", "x4")
    one = data.example("one-d")
    assert one.X.shape == (8, 1) and one.X[:, 0].tolist() == [1, 2, 4, 5, 9, 11, 16, 17] and one.labels is None
    five = data.example("five-points")
    np.testing.assert_array_equal(five.X, [[1, 1], [1, 0], [0, 2], [2, 4], [3, 5]])
    assert five.point_names == tuple("ABCDE")
    assert set(data.EXAMPLES) == {"four-points", "one-d", "five-points"}
    for name in data.EXAMPLES:
        assert data.example(name).source == f"example:{name}"
    with pytest.raises(DataError, match="four-points, one-d, five-points"):
        data.example("iris")


# --------------------------------------------------------------- generators
@pytest.mark.parametrize("kind", sorted(data.GENERATORS))
def test_generators_reproducible_and_labelled(kind):
    a = data.generate(kind, n=157, seed=4)
    b = data.generate(kind, n=157, seed=4)
    c = data.generate(kind, n=157, seed=5)
    assert a.X.shape == (157, 2) and a.labels.shape == (157,)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.labels, b.labels)
    assert not np.array_equal(a.X, c.X)
    assert a.source == f"generator:{kind}" and np.isfinite(a.X).all()
    k = {"moons": 2, "uniform": 1}.get(kind, 3 if kind != "rings" else 2)
    assert np.unique(a.labels).tolist() == list(range(k))


def test_generator_options_and_shapes():
    blobs = data.generate("blobs", n=400, seed=0, k=5, std=0.5)
    assert np.bincount(blobs.labels).tolist() == [80] * 5
    # clusters are where they were generated: each label's points lie near its own mean
    means = np.array([blobs.X[blobs.labels == j].mean(0) for j in range(5)])
    nearest = np.argmin(((blobs.X[:, None] - means[None]) ** 2).sum(-1), axis=1)
    assert (nearest == blobs.labels).mean() > 0.95
    unequal = data.generate("unequal", n=600, seed=0)
    sizes = np.bincount(unequal.labels)
    spreads = [unequal.X[unequal.labels == j].std() for j in range(3)]
    assert len(set(sizes.tolist())) == 3 and max(spreads) > 4 * min(spreads)
    el = data.generate("elongated", n=900, seed=0, ratio=5.0)
    for j in range(3):
        ev = np.linalg.eigvalsh(np.cov(el.X[el.labels == j].T))
        assert np.sqrt(ev[1] / ev[0]) > 3  # elongated: long axis several times the short one
    rings = data.generate("rings", n=300, seed=0, k=3)
    r = np.linalg.norm(rings.X, axis=1)
    assert [round(float(np.median(r[rings.labels == j]))) for j in range(3)] == [1, 2, 3]
    uni = data.generate("uniform", n=500, seed=0)
    assert uni.X.min() >= 0 and uni.X.max() <= 1


@pytest.mark.parametrize("kind, kw, match", [
    ("spiral", {}, "blobs, elongated"),
    ("blobs", {"n": 0}, "n=0"),
    ("blobs", {"n": 2, "k": 3}, "n=2 should be >= k=3"),
    ("blobs", {"k": 0}, "k=0"),
    ("blobs", {"k": 2.5}, "whole number"),
    ("blobs", {"std": -1}, "std"),
    ("moons", {"k": 3}, "no option k"),
    ("moons", {"n": 1}, ">= 2"),
    ("uniform", {"seed": -1}, "seed"),
])
def test_generator_errors(kind, kw, match):
    with pytest.raises(DataError, match=match):
        data.generate(kind, **kw)


# ---------------------------------------------------------- transformations
def test_standardize_matches_sklearn_and_constant_feature():
    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, size=(50, 4))
    X[:, 2] = 7.0
    Z = data.standardize(X)
    np.testing.assert_allclose(Z, StandardScaler().fit_transform(X), atol=1e-12)
    assert np.all(Z[:, 2] == 0) and np.isfinite(Z).all()
    assert np.all(data.standardize(np.array([[1.0, 2.0]])) == 0)


@pytest.mark.parametrize("shape", [(40, 3), (200, 10), (8, 30), (5, 784), (1000, 100), (90, 300)])
def test_pca_matches_sklearn_up_to_sign(shape):
    rng = np.random.default_rng(shape[1])
    X = rng.normal(size=shape) * np.linspace(3, 0.5, shape[1])
    Y, info = data.pca_2d(X)
    ref = PCA(n_components=2, svd_solver="full").fit(X)
    Yr = ref.transform(X)
    for j in range(2):
        s = np.sign(Y[:, j] @ Yr[:, j])
        np.testing.assert_allclose(Y[:, j], s * Yr[:, j], atol=1e-9)
        np.testing.assert_allclose(info.components[j], s * ref.components_[j], atol=1e-9)
    np.testing.assert_allclose(info.explained_variance_ratio, ref.explained_variance_ratio_, rtol=1e-9)
    np.testing.assert_allclose(info.mean, ref.mean_, atol=1e-12)
    centres = X[:3] + 0.5
    np.testing.assert_allclose(data.project_2d(centres, info.components, info.mean), info.project(centres))
    np.testing.assert_allclose(info.project(X), Y, atol=1e-9)
    assert info.method == "pca"


def test_pca_never_decomposes_a_large_matrix_fully(monkeypatch):
    sizes = []
    real_eigh, real_svd = np.linalg.eigh, np.linalg.svd
    monkeypatch.setattr(np.linalg, "eigh", lambda a, *k, **kw: sizes.append(a.shape) or real_eigh(a, *k, **kw))
    monkeypatch.setattr(np.linalg, "svd", lambda a, *k, **kw: sizes.append(a.shape) or real_svd(a, *k, **kw))
    X = np.random.default_rng(0).normal(size=(500, 200)) * np.linspace(3, 1, 200)
    Y, info = data.pca_2d(X)
    assert sizes and max(max(s) for s in sizes) <= 64, sizes  # only small Rayleigh-Ritz problems
    monkeypatch.undo()
    ref = PCA(n_components=2, svd_solver="covariance_eigh").fit(X)
    np.testing.assert_allclose(np.abs(info.components), np.abs(ref.components_), atol=1e-8)


def test_pca_low_dimensions():
    X2 = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, 0.0]])
    Y, info = data.pca_2d(X2)
    np.testing.assert_array_equal(Y, X2)
    assert info.method == "identity" and "unchanged" in info.message.lower() or "as they are" in info.message
    np.testing.assert_array_equal(info.project(X2), X2)
    X1 = np.array([[1.0], [2.0], [4.0]])
    Y, info = data.pca_2d(X1)
    assert Y.tolist() == [[1.0, 0.0], [2.0, 0.0], [4.0, 0.0]] and info.method == "line"
    np.testing.assert_array_equal(info.project(np.array([[9.0]])), [[9.0, 0.0]])
    Y, info = data.pca_2d(np.ones((4, 5)))  # no spread at all: zeros, not NaN
    assert np.all(Y == 0) and np.all(info.explained_variance_ratio == 0)


@pytest.mark.slow
def test_pca_on_mnist_agrees_with_sklearn_without_a_large_decomposition(monkeypatch):
    # how fast this is, is measured by bench/bench_data.py (no timed tests); here: it never decomposes
    # the 784 x 784 scatter matrix (a full eigh or SVD would cost ~40 x one product)
    X = data.mnist(2000).X
    sizes = []
    real_eigh, real_svd = np.linalg.eigh, np.linalg.svd
    monkeypatch.setattr(np.linalg, "eigh", lambda a, *k, **kw: sizes.append(a.shape) or real_eigh(a, *k, **kw))
    monkeypatch.setattr(np.linalg, "svd", lambda a, *k, **kw: sizes.append(a.shape) or real_svd(a, *k, **kw))
    Y, info = data.pca_2d(X)
    monkeypatch.undo()
    assert sizes and max(max(s) for s in sizes) <= 64, sizes
    ref = PCA(n_components=2, svd_solver="covariance_eigh").fit(X)
    np.testing.assert_allclose(np.abs(info.components), np.abs(ref.components_), atol=1e-7)
    np.testing.assert_allclose(np.abs(Y), np.abs(ref.transform(X)), atol=1e-7)
    assert Y.shape == (2000, 2)


# ------------------------------------------------------------------ loaders
def test_csv_header_labels_missing_bom_crlf_comments(tmp_path):
    p = tmp_path / "iris.csv"
    p.write_bytes(b"\xef\xbb\xbf# my data\r\nx,y,species\r\n1,2,setosa\r\n3,NA,virginica\r\n\r\n"
                  b"5,6,setosa\r\n# note\r\n7,8,versicolor\r\n9,?,setosa\r\n10,11,\r\n")
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, [[1, 2], [5, 6], [7, 8]])
    assert ds.labels.tolist() == [0, 0, 1] and ds.label_names == ("setosa", "versicolor")
    assert ds.feature_names == ("x", "y") and ds.name == "iris.csv" and ds.source == str(p)
    assert any("3 rows with missing values dropped (lines 4, 9, 10)" in n for n in ds.notes), ds.notes


@pytest.mark.parametrize("sep", [",", "\t", ";", " ", "  "])
def test_delimiters_without_header(tmp_path, sep):
    X = np.array([[1.5, -2.0, 3.0], [4.0, 5.25, -6e-3]])
    p = tmp_path / "d.txt"
    p.write_text("\n".join(sep.join(repr(v) for v in row) for row in X.tolist()) + "\n")
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, X)
    assert ds.labels is None and ds.feature_names is None


def test_tsv_with_header_and_integer_label_column(tmp_path):
    p = tmp_path / "t.tsv"
    p.write_text("a\tb\tclass\n0.5\t1\t3\n1.5\t2\t1\n2.5\t3\t3\n")
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, [[0.5, 1], [1.5, 2], [2.5, 3]])
    assert ds.labels.tolist() == [1, 0, 1] and ds.label_names == ("1", "3")
    p.write_text("a\tb\tcluster\n0.5\t1\t0\n1.5\t2\t1\n")
    ds = data.load(p)
    assert ds.labels.tolist() == [0, 1] and ds.label_names is None and ds.d == 2


def test_semicolon_decimal_comma_and_index_column(tmp_path):
    p = tmp_path / "eu.csv"
    p.write_text("a;b\n1,5;2\n3;4,25\n")
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, [[1.5, 2], [3, 4.25]])
    p = tmp_path / "pandas.csv"
    p.write_text(",u,v\n0,1.0,2.0\n1,3.0,4.0\n2,5.0,6.0\n")
    ds = data.load(p)
    assert ds.d == 2 and any("numbers the rows" in n for n in ds.notes)


def test_two_text_columns_keeps_the_one_with_few_values(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text('name,x,kind\n"Smith, J",1,a\nLee,2,b\nKim,3,a\n')
    ds = data.load(p)
    assert ds.X[:, 0].tolist() == [1, 2, 3] and ds.label_names == ("a", "b")
    assert any("'name'" in n and "ignored" in n for n in ds.notes)


@pytest.mark.parametrize("content, X, labels", [
    ("1,nan\n2,3\n4,inf\n5,6\n", [[2, 3], [5, 6]], None),          # fast numeric path with missing cells
    ("a,nan,1\nb,nan,2\na,nan,3\n", [[1], [2], [3]], [0, 1, 0]),    # empty column dropped, text labels
    ("x,nan,1\n1,nan,2\n3,nan,3\n", [[1, 2], [3, 3]], None),         # header found through column 1
    ("7\n8\n", [[7], [8]], None),                                   # one column, no delimiter
])
def test_text_edge_cases(tmp_path, content, X, labels):
    p = tmp_path / "e.csv"
    p.write_text(content)
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, X)
    assert (ds.labels is None and labels is None) or ds.labels.tolist() == labels


@pytest.mark.parametrize("content, match", [
    ("1,2\n3,4,5\n", "line 2 has 3 values but line 1 has 2"),
    ("a,b\nx,y\n", "no numeric column"),
    ("# only a comment\n\n", "no data"),
    ("x,y\n", "header row but no data"),
    ("1,NA\nNA,2\n", "every row has a missing value"),
])
def test_bad_text(tmp_path, content, match):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(DataError, match=match) as e:
        data.load(p)
    assert str(e.value).startswith("bad.csv: ")


def test_file_system_errors(tmp_path):
    with pytest.raises(DataError, match="^nope.csv: file not found"):
        data.load(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a folder"):
        data.load(tmp_path)
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(DataError, match="^e.csv: the file is empty"):
        data.load(tmp_path / "e.csv")
    (tmp_path / "s.xlsx").write_bytes(b"abc")
    with pytest.raises(DataError, match=r"unknown file type '.xlsx'.*\.npz.*IDX"):
        data.load(tmp_path / "s.xlsx")
    (tmp_path / "b.csv").write_bytes(b"\x00\x01\x02garbage")
    with pytest.raises(DataError, match="^b.csv: .*binary"):
        data.load(tmp_path / "b.csv")


def test_latin1_text_is_read_with_a_note(tmp_path):
    p = tmp_path / "l.csv"
    p.write_bytes("x,y,ville\n1,2,Besançon\n3,4,Zürich\n".encode("latin-1"))
    ds = data.load(p)
    assert ds.label_names == ("Besançon", "Zürich") and any("Latin-1" in n for n in ds.notes)


@pytest.mark.parametrize("labels, names", [(None, None), ([0, 2, 1, 0], None), ([1, 0, 1, 1], ["b, x", 'q"t'])])
def test_save_csv_round_trip(tmp_path, labels, names):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(4, 3)) * 10.0 ** rng.integers(-8, 8, size=(4, 3))
    p = tmp_path / "out.csv"
    data.save_csv(p, X, labels=labels, label_names=names)
    ds = data.load(p)
    np.testing.assert_array_equal(ds.X, X)  # exact: floats written with repr
    if labels is None:
        assert ds.labels is None
    elif names is None:
        assert ds.labels.tolist() == labels
    else:
        assert [ds.label_names[i] for i in ds.labels] == [names[i] for i in labels]
    assert ds.feature_names == ("x1", "x2", "x3")
    assert [f.name for f in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left behind


def test_save_csv_errors(tmp_path):
    with pytest.raises(DataError, match="labels for"):
        data.save_csv(tmp_path / "a.csv", np.zeros((3, 2)), labels=[0, 1])
    with pytest.raises(DataError, match="cannot be written"):
        data.save_csv(tmp_path / "missing_dir" / "a.csv", np.zeros((3, 2)))


# ---------------------------------------------------------------- npy / npz
def test_npy_shapes(tmp_path):
    X = np.arange(12.0).reshape(4, 3)
    np.save(tmp_path / "a.npy", X)
    np.testing.assert_array_equal(data.load(tmp_path / "a.npy").X, X)
    np.save(tmp_path / "f.npy", np.asfortranarray(X))
    np.testing.assert_array_equal(data.load(tmp_path / "f.npy").X, X)
    np.save(tmp_path / "one.npy", np.array([3, 1, 2], dtype=np.int16))
    assert data.load(tmp_path / "one.npy").X.tolist() == [[3], [1], [2]]
    imgs = np.random.default_rng(0).integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    np.save(tmp_path / "img.npy", imgs)
    ds = data.load(tmp_path / "img.npy")
    assert ds.image_shape == (4, 3) and ds.X.shape == (5, 12)
    np.testing.assert_array_equal(ds.X, imgs.reshape(5, 12) / 255.0)
    Xn = X.copy()
    Xn[1, 2] = np.nan
    np.save(tmp_path / "nan.npy", Xn)
    ds = data.load(tmp_path / "nan.npy")
    assert ds.n == 3 and any("1 row with missing values dropped (row 1)" in n for n in ds.notes)


def test_npz_keys_and_labels(tmp_path):
    X = np.random.default_rng(0).normal(size=(6, 2))
    np.savez(tmp_path / "a.npz", X=X, labels=np.array([2, 2, 5, 5, 7, 7]))
    ds = data.load(tmp_path / "a.npz")
    np.testing.assert_array_equal(ds.X, X)
    assert ds.labels.tolist() == [0, 0, 1, 1, 2, 2] and ds.label_names == ("2", "5", "7")
    np.savez_compressed(tmp_path / "b.npz", points=X, y=np.array(list("aabbcc")))
    ds = data.load(tmp_path / "b.npz")
    assert ds.label_names == ("a", "b", "c") and ds.labels.tolist() == [0, 0, 1, 1, 2, 2]
    np.savez(tmp_path / "c.npz", a=X, b=X)
    with pytest.raises(DataError, match="name it 'X' or 'data'"):
        data.load(tmp_path / "c.npz")
    np.savez(tmp_path / "d.npz", data=X, labels=np.arange(5))
    with pytest.raises(DataError, match="one label per row"):
        data.load(tmp_path / "d.npz")


def test_object_arrays_are_never_unpickled(tmp_path, monkeypatch):
    import pickle
    monkeypatch.setattr(pickle, "loads", lambda *a, **k: pytest.fail("unpickled"))
    monkeypatch.setattr(pickle, "load", lambda *a, **k: pytest.fail("unpickled"))
    obj = np.array([{"a": 1}, None], dtype=object)
    np.save(tmp_path / "o.npy", obj, allow_pickle=True)
    with pytest.raises(DataError, match="^o.npy: .*never unpickles"):
        data.load(tmp_path / "o.npy")
    np.savez(tmp_path / "o.npz", X=np.zeros((2, 2)), labels=obj)
    with pytest.raises(DataError, match="never unpickles"):
        data.load(tmp_path / "o.npz")


def _npy_bytes(shape, dtype="<f8"):
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    buf = __import__("io").BytesIO()
    np.lib.format.write_array_header_1_0(buf, header)
    return b"\x93NUMPY\x01\x00"[:0] + buf.getvalue()


def test_npy_declared_oversize_and_truncated(tmp_path, monkeypatch):
    p = tmp_path / "huge.npy"
    p.write_bytes(_npy_bytes((400_000_000, 2)) + b"\0" * 64)  # declares 6 GB, holds 64 bytes
    reads = []
    real_read = loaders._read_npy_data
    monkeypatch.setattr(loaders, "_read_npy_data", lambda *a, **k: reads.append(a) or real_read(*a, **k))
    with pytest.raises(DataError, match="over the limit"):
        data.load(p)
    assert reads == []  # refused from the header alone, before reading (or allocating) any data
    p = tmp_path / "short.npy"
    p.write_bytes(_npy_bytes((10, 2)) + b"\0" * 100)
    with pytest.raises(DataError, match="truncated"):
        data.load(p)
    p.write_bytes(_npy_bytes((10, 2)) + b"\0" * 170)
    with pytest.raises(DataError, match="unexpected bytes"):
        data.load(p)


def test_npz_zip_bomb_refused_before_decompressing(tmp_path):
    p = tmp_path / "bomb.npz"
    payload = _npy_bytes((64 * 1024 ** 2 // 8, 1)) + b"\0" * (64 * 1024 ** 2)  # 64 MiB of zeros
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("X.npy", payload)
    assert p.stat().st_size < 1024 ** 2
    calls = []
    real_open = zipfile.ZipFile.open
    zipfile.ZipFile.open = lambda self, *a, **k: calls.append(a) or real_open(self, *a, **k)
    try:
        with pytest.raises(DataError, match=r"^bomb.npz: .*more than 200:1"):
            data.load(p)
    finally:
        zipfile.ZipFile.open = real_open
    assert calls == []  # refused from the directory alone


def test_npz_member_lying_about_its_size(tmp_path):
    p = tmp_path / "lie.npz"
    np.savez(p, X=np.zeros((10, 2)))
    raw = bytearray(p.read_bytes())
    i = raw.index(b"\x93NUMPY")
    header_end = raw.index(b"\n", i)
    raw[i:header_end] = raw[i:header_end].replace(b"(10, 2)", b"(90, 2)")
    p.write_bytes(bytes(raw))
    with pytest.raises(DataError, match="^lie.npz: "):
        data.load(p)


# ---------------------------------------------------------------------- IDX
def _idx(arr, magic):
    dims = struct.pack(">" + "I" * arr.ndim, *arr.shape)
    return struct.pack(">I", magic) + dims + arr.astype(np.uint8).tobytes()


@pytest.mark.parametrize("gz", [False, True])
def test_idx_images_with_labels_beside(tmp_path, gz):
    imgs = np.random.default_rng(0).integers(0, 256, size=(7, 5, 4))
    labs = np.array([3, 1, 4, 1, 5, 9, 2])
    write = (lambda p, b: p.write_bytes(gzip.compress(b))) if gz else (lambda p, b: p.write_bytes(b))
    sfx = ".gz" if gz else ""
    write(tmp_path / f"my-images-idx3-ubyte{sfx}", _idx(imgs, 0x803))
    write(tmp_path / f"my-labels-idx1-ubyte{sfx}", _idx(labs, 0x801))
    ds = data.load(tmp_path / f"my-images-idx3-ubyte{sfx}")
    assert ds.image_shape == (5, 4) and ds.X.shape == (7, 20)
    np.testing.assert_array_equal(ds.X, imgs.reshape(7, 20) / 255.0)
    assert ds.labels.tolist() == labs.tolist()
    # labels file with a different count
    write(tmp_path / f"my-labels-idx1-ubyte{sfx}", _idx(labs[:6], 0x801))
    with pytest.raises(DataError, match="7 images but its labels file .* has 6"):
        data.load(tmp_path / f"my-images-idx3-ubyte{sfx}")


def test_idx_images_without_labels_and_mnist_dotted_name(tmp_path):
    imgs = np.zeros((2, 3, 3))
    (tmp_path / "images.idx3-ubyte").write_bytes(_idx(imgs, 0x803))
    (tmp_path / "labels.idx1-ubyte").write_bytes(_idx(np.array([1, 0]), 0x801))
    ds = data.load(tmp_path / "images.idx3-ubyte")
    assert ds.labels.tolist() == [1, 0]
    (tmp_path / "labels.idx1-ubyte").unlink()
    ds = data.load(tmp_path / "images.idx3-ubyte")
    assert ds.labels is None and any("No labels file" in n for n in ds.notes)


@pytest.mark.parametrize("mutate, match", [
    (lambda b: b[:-5], "truncated IDX data"),
    (lambda b: b + b"\0\0", "unexpected bytes after"),
    (lambda b: b"\x01" + b[1:], "wrong magic"),
    (lambda b: b[:2] + b"\x0d" + b[3:], "data type 0x0d"),
    (lambda b: b[:10], "truncated"),
    (lambda b: b[:4] + struct.pack(">I", 0) + b[8:], "declares no data"),
    (lambda b: b[:4] + struct.pack(">I", 4_000_000_000) + b[8:], "over the limit"),
])
@pytest.mark.parametrize("gz", [False, True])
def test_corrupt_idx(tmp_path, mutate, match, gz):
    good = _idx(np.ones((3, 4, 4)), 0x803)
    raw = mutate(good)
    p = tmp_path / ("x-images-idx3-ubyte" + (".gz" if gz else ""))
    p.write_bytes(gzip.compress(raw) if gz else raw)
    with pytest.raises(DataError, match=match) as e:
        data.load(p)
    assert str(e.value).startswith(p.name)


def test_corrupt_gzip(tmp_path):
    raw = gzip.compress(_idx(np.ones((3, 4, 4)), 0x803))
    p = tmp_path / "t-images-idx3-ubyte.gz"
    p.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(DataError, match="^t-images-idx3-ubyte.gz: "):
        data.load(p)
    p.write_bytes(b"\x1f\x8b" + b"\xff" * 40)
    with pytest.raises(DataError, match="^t-images-idx3-ubyte.gz: "):
        data.load(p)


@pytest.mark.slow
def test_load_shipped_mnist_files():
    ds = data.load(RES / data.MNIST_IMAGES)
    assert ds.X.shape == (10000, 784) and ds.labels[0] == 7
    np.testing.assert_array_equal(ds.X[:50], data.mnist(50).X)
    lab = data.load(RES / data.MNIST_LABELS)
    assert lab.X.shape == (10000, 1) and lab.X[0, 0] == 7
