"""The dataset loaders on small files written here in the real on-disk formats (IDX, N-MNIST
.bin, SHD HDF5) by writer code independent of the package; digits from scikit-learn."""
import gzip
import struct
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from rate2spike.datasets import DATASETS, Dataset, DatasetError, default_root, load_dataset
from rate2spike.datasets import images as images_module
from rate2spike.datasets.events import load_nmnist, load_shd
from rate2spike.datasets.images import load_mnist, read_idx
from rate2spike.errors import ConfigError, Rate2SpikeError

ROOT = Path(__file__).resolve().parents[2]
IDX_NAMES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}


# ---- writers of the on-disk formats (independent of the package) ------------------------------
def write_idx(path, array, gz=False):
    """IDX: 0x0000, type 0x08 (uint8), ndim, big-endian uint32 sizes, data."""
    array = np.asarray(array, dtype=np.uint8)
    raw = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    raw += array.tobytes()
    path = Path(str(path) + ".gz") if gz else Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(raw) if gz else raw)
    return path


def write_mnist(folder, n=5, gz=False, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for split, (img_name, lab_name) in IDX_NAMES.items():
        imgs = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        imgs[0, 0, 0] = 255
        labs = np.arange(n, dtype=np.uint8) % 10
        write_idx(Path(folder) / img_name, imgs, gz)
        write_idx(Path(folder) / lab_name, labs, gz)
        out[split] = (imgs, labs)
    return out


def write_nmnist_bin(path, events):
    """N-MNIST 40-bit events (x, y, p, ts in microseconds): x, y, p<<7 | ts[22:16], ts[15:8], ts[7:0]."""
    raw = b"".join(bytes([x, y, (p << 7) | ((ts >> 16) & 0x7F), (ts >> 8) & 0xFF, ts & 0xFF])
                   for x, y, p, ts in events)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)


EV3 = [(1, 2, 0, 0), (33, 0, 1, 100), (5, 33, 1, 250), (1, 2, 0, 399)]      # span 399 us
EV7 = [(10, 20, 1, 70000), (10, 20, 1, 70000), (0, 0, 0, 170000)]           # ts > 16 bits


def write_nmnist(root):
    write_nmnist_bin(root / "Train" / "7" / "00002.bin", EV7)     # written first: order from sorting
    write_nmnist_bin(root / "Train" / "3" / "00001.bin", EV3)
    (root / "Test" / "0").mkdir(parents=True)
    write_nmnist_bin(root / "Test" / "0" / "00001.bin", [])


SHD_TIMES = [[0.0, 0.5, 1.0], [], [0.1, 0.1002]]       # seconds
SHD_UNITS = [[0, 699, 5], [], [3, 3]]


def write_shd(path, keys=True):
    with h5py.File(path, "w") as f:
        times = f.create_dataset("spikes/times", (3,), dtype=h5py.vlen_dtype(np.float32))
        units = f.create_dataset("spikes/units", (3,), dtype=h5py.vlen_dtype(np.uint16))
        for k in range(3):
            times[k] = np.array(SHD_TIMES[k], dtype=np.float32)
            units[k] = np.array(SHD_UNITS[k], dtype=np.uint16)
        f.create_dataset("labels", data=np.array([4, 0, 19], dtype=np.uint16))
        if keys:
            f.create_dataset("extra/keys", data=np.array([f"word-{k}".encode() for k in range(20)]))


# ---- digits -----------------------------------------------------------------------------------
def test_digits_split_values_and_determinism():
    train, test = load_dataset("digits", "train"), load_dataset("digits", "test")
    assert len(train) + len(test) == 1797 and len(test) == 360
    for ds in (train, test):
        assert ds.values.dtype == np.float32 and ds.values.shape == (len(ds), 64)
        assert ds.values.min() >= 0 and ds.values.max() == 1.0
        assert ds.labels.dtype == np.int64 and set(ds.labels) == set(range(10))
        assert ds.kind == "static" and ds.image_shape == (8, 8) and ds.n_classes == 10
    again = load_dataset("digits", "test")
    assert np.array_equal(again.values, test.values) and np.array_equal(again.labels, test.labels)


def test_digits_rate_inputs_are_reproducible():
    ds = load_dataset("digits", "test")
    a = ds.inputs([0, 5, 7], "rate", 200, rng=0)
    assert a.shape == (3, 64, 200) and a.dtype == np.float32 and set(np.unique(a)) <= {0.0, 1.0}
    assert np.array_equal(a, ds.inputs([0, 5, 7], "rate", 200, rng=0))
    assert not np.array_equal(a, ds.inputs([0, 5, 7], "rate", 200, rng=1))
    sub = ds.subset([7, 0])
    assert np.array_equal(sub.labels, ds.labels[[7, 0]])
    assert np.array_equal(sub.inputs([0], "direct", 3), ds.inputs([7], "direct", 3))


# ---- IDX / MNIST ------------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_from_idx_files(tmp_path, gz):
    written = write_mnist(tmp_path, gz=gz)
    for split in ("train", "test"):
        ds = load_dataset("mnist", split, root=tmp_path)
        imgs, labs = written[split]
        assert ds.values.shape == (5, 784) and ds.values.dtype == np.float32
        assert np.allclose(ds.values, imgs.reshape(5, 784) / 255.0) and ds.values.max() == 1.0
        assert ds.labels.dtype == np.int64 and ds.labels.tolist() == labs.tolist()
        assert ds.image_shape == (28, 28) and ds.classes[0] == "0"
    assert read_idx(tmp_path / ("t10k-labels-idx1-ubyte" + (".gz" if gz else ""))).tolist() == [0, 1, 2, 3, 4]


def test_fashion_in_torchvision_layout_and_env_root(tmp_path, monkeypatch):
    write_mnist(tmp_path / "fashion" / "FashionMNIST" / "raw")
    monkeypatch.setenv("RATE2SPIKE_DATA", str(tmp_path))
    assert default_root("fashion") == tmp_path / "fashion"
    ds = load_dataset("fashion", "test")
    assert len(ds) == 5 and ds.classes[0] == "T-shirt/top" and ds.classes[9] == "Ankle boot"


def test_default_root_without_env(monkeypatch):
    monkeypatch.delenv("RATE2SPIKE_DATA", raising=False)
    assert default_root("shd") == Path.home() / ".cache" / "rate2spike" / "datasets" / "shd"


def test_corrupt_idx_files_name_the_file(tmp_path):
    good = write_idx(tmp_path / "x-idx3-ubyte", np.zeros((2, 28, 28)))
    cut = tmp_path / "cut-idx3-ubyte"
    cut.write_bytes(good.read_bytes()[:-10])
    with pytest.raises(DatasetError, match="cut-idx3-ubyte.*wrong size"):
        read_idx(cut)
    bad = tmp_path / "bad-idx3-ubyte"
    bad.write_bytes(b"\x01\x02" + good.read_bytes()[2:])
    with pytest.raises(DatasetError, match="bad-idx3-ubyte.*bad magic"):
        read_idx(bad)
    header = tmp_path / "short.gz"
    header.write_bytes(gzip.compress(struct.pack(">HBB", 0, 0x08, 3) + b"\x00\x00"))
    with pytest.raises(DatasetError, match="short.gz"):
        read_idx(header)


def test_image_label_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(4))
    with pytest.raises(DatasetError, match="5 images but .* 4 labels"):
        load_mnist("mnist", "train", tmp_path)


def test_missing_mnist_folder_says_what_to_put_where(tmp_path, monkeypatch):
    monkeypatch.setattr(images_module, "torchvision_download", lambda name, root: "not installed")
    where = tmp_path / "nowhere"
    with pytest.raises(DatasetError) as info:
        load_dataset("mnist", "train", root=where)
    msg = str(info.value)
    assert str(where) in msg and "train-images-idx3-ubyte" in msg and "t10k-labels-idx1-ubyte" in msg
    assert "no network" in msg


# ---- N-MNIST ----------------------------------------------------------------------------------
def test_nmnist_labels_layout_and_bins(tmp_path):
    write_nmnist(tmp_path)
    ds = load_dataset("nmnist", "train", root=tmp_path)
    assert ds.kind == "events" and ds.labels.tolist() == [3, 7] and ds.n_channels == 2312
    assert ds.image_shape == (2, 34, 34) and ds.valid_encodings() == ("events",)
    x = ds.inputs([0, 1], "events", steps=4)
    assert x.shape == (2, 2312, 4) and x.dtype == np.float32
    for row, events in enumerate((EV3, EV7)):
        assert x[row].sum() == len(events)            # every event kept, counts not clipped
    # EV3 spans 0..399 us: 4 bins of 100 us; channel = p*34*34 + y*34 + x
    expected = np.zeros((2312, 4), np.float32)
    for (xx, yy, p, _), b in zip(EV3, [0, 1, 2, 3]):
        expected[p * 1156 + yy * 34 + xx, b] += 1
    assert np.array_equal(x[0], expected)
    img = x[1].reshape(2, 34, 34, 4)                   # (polarity, y, x, steps)
    assert img[1, 20, 10].tolist() == [2, 0, 0, 0] and img[0, 0, 0].tolist() == [0, 0, 0, 1]
    sub = ds.subset([1])
    assert sub.labels.tolist() == [7] and np.array_equal(sub.inputs([0], "events", 4)[0], x[1])


def test_nmnist_tonic_layout_and_empty_sample(tmp_path):
    write_nmnist(tmp_path / "NMNIST")
    ds = load_nmnist("test", root=tmp_path)
    assert ds.labels.tolist() == [0]
    assert not ds.inputs([0], "events", steps=5).any()


def test_nmnist_truncated_file(tmp_path):
    write_nmnist(tmp_path)
    path = tmp_path / "Train" / "3" / "00001.bin"
    path.write_bytes(path.read_bytes()[:-2])
    with pytest.raises(DatasetError, match="00001.bin.*truncated"):
        load_nmnist("train", root=tmp_path).inputs([0], "events", 4)


def test_nmnist_missing_folder(tmp_path):
    with pytest.raises(DatasetError, match="Train/ and Test/") as info:
        load_nmnist("train", root=tmp_path / "absent")
    assert str(tmp_path / "absent") in str(info.value)


def test_missing_tonic_is_a_clear_error(tmp_path, monkeypatch):
    write_nmnist(tmp_path)
    monkeypatch.setitem(sys.modules, "tonic", None)
    with pytest.raises(DatasetError, match=r"rate2spike\[datasets\]"):
        load_dataset("nmnist", "train", root=tmp_path)


def test_importing_datasets_does_not_import_tonic():
    code = "import rate2spike.datasets, sys; print('tonic' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


# ---- SHD --------------------------------------------------------------------------------------
def test_shd_units_land_in_their_channel_and_bin(tmp_path):
    write_shd(tmp_path / "shd_test.h5")
    ds = load_dataset("shd", "test", root=tmp_path)
    assert ds.labels.tolist() == [4, 0, 19] and ds.n_classes == 20 and ds.classes[19] == "word-19"
    assert ds.image_shape == (700,) and ds.n_channels == 700
    x = ds.inputs([0, 1, 2], "events", steps=4)
    assert x.shape == (3, 700, 4) and x.dtype == np.float32
    assert x[0].sum() == 3 and x[0, 0, 0] == 1 and x[0, 699, 1] == 1 and x[0, 5, 3] == 1
    assert not x[1].any()                               # the sample without spikes
    assert x[2, 3].tolist() == [1, 0, 0, 1] and x[2].sum() == 2
    assert np.array_equal(ds.subset([2, 1]).inputs([0, 1], "events", 4), x[[2, 1]])


def test_shd_without_keys_and_in_subfolder(tmp_path):
    (tmp_path / "SHD").mkdir()
    write_shd(tmp_path / "SHD" / "shd_train.h5", keys=False)
    ds = load_shd("train", root=tmp_path)
    assert ds.classes == [str(k) for k in range(20)] and len(ds) == 3


def test_shd_missing_or_not_hdf5(tmp_path):
    with pytest.raises(DatasetError, match="shd_train.h5") as info:
        load_shd("train", root=tmp_path)
    assert str(tmp_path) in str(info.value)
    (tmp_path / "shd_train.h5").write_bytes(b"not hdf5")
    with pytest.raises(DatasetError, match="not an SHD file"):
        load_shd("train", root=tmp_path)


# ---- bad choices ------------------------------------------------------------------------------
def test_bad_choices_name_the_valid_ones(tmp_path):
    with pytest.raises(DatasetError, match="digits, mnist, fashion, nmnist, shd"):
        load_dataset("cifar")
    assert DATASETS == ("digits", "mnist", "fashion", "nmnist", "shd", "sdigits", "mnist5k",
                        "smnist5k", "psmnist5k")
    with pytest.raises(DatasetError, match="train, test"):
        load_dataset("digits", "val")
    digits = load_dataset("digits", "test")
    with pytest.raises(DatasetError, match="rate, latency, direct"):
        digits.inputs([0], "events", 10)
    with pytest.raises(DatasetError, match=r"valid: \[0, 359\]"):
        digits.inputs([360], "rate", 10)
    with pytest.raises(ConfigError, match="steps"):
        digits.inputs([0], "rate", 0)
    write_shd(tmp_path / "shd_train.h5")
    shd = load_dataset("shd", "train", root=tmp_path)
    with pytest.raises(DatasetError, match="choose one of: events"):
        shd.inputs([0], "rate", 10)
    assert issubclass(DatasetError, Rate2SpikeError)


def test_dataset_checks_its_fields():
    with pytest.raises(DatasetError, match="values of shape"):
        Dataset("toy", "train", np.zeros(2), ["a"], 3, "static", values=np.zeros((2, 4)))
    with pytest.raises(DatasetError, match="frame"):
        Dataset("toy", "train", np.zeros(2), ["a"], 3, "events")
