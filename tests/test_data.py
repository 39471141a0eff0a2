"""utils.data: readers of IDX, CIFAR-10 binary and image folders, and the Fashion-MNIST loader.

Bad files are made by the tests themselves in tmp_path; each must raise DataError naming the file.
"""
import gzip
import hashlib
import struct

import numpy as np
import pytest

from utils import data
from utils.data import DataError


def idx_bytes(array):
    """An IDX file's bytes for a uint8 array."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_fake_fashion_mnist(folder, n_train=20, n_test=10, gz=True):
    """A tiny data set with Fashion-MNIST's file names; returns the checksums to patch in."""
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": np.arange(n_train, dtype=np.uint8) % 10,
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": np.arange(n_test, dtype=np.uint8) % 10,
    }
    sums = {}
    for stem, array in arrays.items():
        raw = idx_bytes(array)
        sums[stem] = hashlib.sha256(raw).hexdigest()
        if gz:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(raw))
        else:
            (folder / stem).write_bytes(raw)
    return sums


def test_idx_round_trip_gzipped_and_plain(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    (tmp_path / "a").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a.gz"), array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "a"), array)


def test_idx_big_endian_int32_is_read_in_native_order(tmp_path):
    values = np.array([1, -2, 300000], dtype=">i4")
    raw = bytes([0, 0, 0x0C, 1]) + struct.pack(">I", 3) + values.tobytes()
    (tmp_path / "b").write_bytes(raw)
    out = data.read_idx(tmp_path / "b")
    assert out.dtype.isnative and out.tolist() == [1, -2, 300000]


def test_missing_file_names_file_and_how_to_get_it(tmp_path):
    with pytest.raises(DataError, match=r"missing\.gz: file not found.*dataset-fashion-mnist"):
        data.read_idx(tmp_path / "missing.gz")


def test_truncated_gzip_is_reported_as_corrupt(tmp_path):
    good = gzip.compress(idx_bytes(np.zeros((5, 28, 28), np.uint8)))
    (tmp_path / "cut.gz").write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match=r"cut\.gz: not a complete gzip file.*truncated or corrupt"):
        data.read_idx(tmp_path / "cut.gz")


def test_wrong_magic_is_reported(tmp_path):
    (tmp_path / "x").write_bytes(b"PK\x03\x04" + bytes(100))
    with pytest.raises(DataError, match=r"x: not an IDX file \(magic bytes 504b0304"):
        data.read_idx(tmp_path / "x")


def test_dimensions_that_disagree_with_the_length_are_reported(tmp_path):
    raw = idx_bytes(np.zeros((4, 28, 28), np.uint8))
    (tmp_path / "short").write_bytes(raw[:-10])
    with pytest.raises(DataError, match=r"header says shape \(4, 28, 28\).*truncated or corrupt"):
        data.read_idx(tmp_path / "short")


def test_checksum_mismatch_is_reported(tmp_path):
    (tmp_path / "c").write_bytes(idx_bytes(np.ones((2, 2), np.uint8)))
    with pytest.raises(DataError, match=r"c: SHA-256 .* does not match"):
        data.read_idx(tmp_path / "c", sha256="0" * 64)


def test_load_fashion_mnist_from_a_user_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST_SHA256", write_fake_fashion_mnist(tmp_path, gz=False))
    (x, y), (xt, yt) = data.load_fashion_mnist(n_train=8, n_test=4, data_dir=tmp_path, pad=2)
    assert x.shape == (8, 32, 32, 1) and x.dtype == np.float32
    raw = np.random.default_rng(0).integers(0, 256, (20, 28, 28), dtype=np.uint8)[:8]  # as written
    np.testing.assert_allclose(x[:, 2:30, 2:30, 0], raw / 255.0, rtol=1e-6)  # pixel / 255, centred
    assert not x[:, :2].any() and not x[:, 30:].any() and not x[:, :, :2].any() and not x[:, :, 30:].any()
    assert y.dtype == np.int32 and y.tolist() == list(range(8))
    assert xt.shape == (4, 32, 32, 1)


def test_load_fashion_mnist_rejects_a_corrupt_copy(tmp_path, monkeypatch):
    sums = write_fake_fashion_mnist(tmp_path)
    monkeypatch.setattr(data, "FASHION_MNIST_SHA256", {**sums, "train-labels-idx1-ubyte": "f" * 64})
    with pytest.raises(DataError, match="train-labels-idx1-ubyte.gz: SHA-256"):
        data.load_fashion_mnist(data_dir=tmp_path)


def test_load_fashion_mnist_reports_a_folder_without_the_files(tmp_path):
    with pytest.raises(DataError, match="neither train-images-idx3-ubyte.gz nor train-images-idx3-ubyte"):
        data.load_fashion_mnist(data_dir=tmp_path)


def test_subset_size_must_be_in_range(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "FASHION_MNIST_SHA256", write_fake_fashion_mnist(tmp_path))
    with pytest.raises(ValueError, match=r"n_train=0: must be a whole number from 1 to 20"):
        data.load_fashion_mnist(n_train=0, data_dir=tmp_path)


def test_shipped_fashion_mnist_verifies_and_has_the_documented_shape():
    (x, y), (xt, yt) = data.load_fashion_mnist()
    assert x.shape == (60000, 28, 28, 1) and xt.shape == (10000, 28, 28, 1)
    assert np.bincount(y).tolist() == [6000] * 10 and np.bincount(yt).tolist() == [1000] * 10


def test_fashion_mnist_as_dataset_resizes_and_batches():
    train, test = data.load_fashion_mnist(n_train=64, n_test=32, image_size=(32, 32), as_dataset=True,
                                          batch_size=16)
    images, labels = next(iter(train))
    assert tuple(images.shape) == (16, 32, 32, 1) and tuple(labels.shape) == (16,)
    assert sum(1 for _ in test) == 2


def cifar_records(labels):
    rng = np.random.default_rng(1)
    rows = [bytes([label]) + rng.integers(0, 256, 3072, dtype=np.uint8).tobytes() for label in labels]
    return b"".join(rows)


def test_cifar10_batch_is_read_as_nhwc(tmp_path):
    raw = cifar_records([3, 7])
    (tmp_path / "data_batch_1.bin").write_bytes(raw)
    images, labels = data.read_cifar10_batch(tmp_path / "data_batch_1.bin")
    assert images.shape == (2, 32, 32, 3) and labels.tolist() == [3, 7]
    # The red plane of record 0 starts right after its label byte.
    assert images[0, 0, 0, 0] == raw[1] and images[0, 0, 0, 1] == raw[1 + 1024]


def test_cifar10_batch_of_the_wrong_length_is_reported(tmp_path):
    (tmp_path / "test_batch.bin").write_bytes(cifar_records([1, 2])[:-5])
    with pytest.raises(DataError, match=r"test_batch.bin: 6141 bytes is not a whole number of 3073-byte"):
        data.read_cifar10_batch(tmp_path / "test_batch.bin")


def test_cifar10_loader_reads_five_train_batches_and_the_test_batch(tmp_path):
    for i in range(1, 6):
        (tmp_path / f"data_batch_{i}.bin").write_bytes(cifar_records([i]))
    (tmp_path / "test_batch.bin").write_bytes(cifar_records([0, 9]))
    (x, y), (xt, yt) = data.load_cifar10(tmp_path)
    assert x.shape == (5, 32, 32, 3) and y.tolist() == [1, 2, 3, 4, 5] and yt.tolist() == [0, 9]


def test_image_folder_loader_reads_class_folders(tmp_path):
    import matplotlib.pyplot as plt

    for name in ("daisy", "tulip"):
        (tmp_path / name).mkdir()
        for i in range(3):
            plt.imsave(tmp_path / name / f"{i}.png", np.full((10, 12, 3), i / 3))
    ds = data.load_image_folder(tmp_path, image_size=(8, 8), batch_size=6)
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (6, 8, 8, 3) and sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1]
    assert ds.class_names == ["daisy", "tulip"]


def test_image_folder_loader_reports_missing_and_empty_folders(tmp_path):
    with pytest.raises(DataError, match="no such folder"):
        data.load_image_folder(tmp_path / "nope")
    with pytest.raises(DataError, match="holds no class sub-folders"):
        data.load_image_folder(tmp_path)
