"""Data sets from local files in standard formats: IDX (MNIST family), CIFAR-10 binary, image folders.

Nothing here touches the network. Every reader checks what it reads and, when something is wrong,
raises :class:`DataError` naming the file, the problem and the fix. No pickle anywhere.
"""
import gzip
import hashlib
import os
import zlib
from pathlib import Path

import numpy as np

from utils.checks import image_size as check_image_size, whole_number

REPO_DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEBIAN_FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_CLASSES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")

# SHA-256 of the *decompressed* IDX files, so the check holds whether a copy is gzipped (by
# whichever tool) or not. data/fashion-mnist/SHA256SUMS lists the shipped .gz files as well.
FASHION_MNIST_SHA256 = {
    "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
}

FETCH_HINT = ("The course ships Fashion-MNIST in data/fashion-mnist/ (restore it with `git checkout -- data`); "
              "on Debian, `apt-get install dataset-fashion-mnist` puts the same files in "
              "/usr/share/datasets/fashion-mnist; or pass data_dir= / set COURSE_DATA_DIR to a folder holding "
              "the four IDX files (gzipped or not).")


class DataError(Exception):
    """A data file is missing, corrupt or not in the expected format. The message says how to fix it."""


# ----------------------------------------------------------------------------------------- IDX

# The third byte of an IDX file's magic number names the element type.
IDX_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_bytes(path):
    """The file's bytes, gunzipped when the name ends in .gz, with clear errors when it cannot be."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found. {FETCH_HINT}")
    raw = path.read_bytes()
    if path.suffix != ".gz":
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as e:
        raise DataError(f"{path}: not a complete gzip file ({e}); the file is truncated or corrupt: "
                        f"replace it with a fresh copy. {FETCH_HINT}") from None


def parse_idx(data, name="<bytes>"):
    """An IDX byte string as a NumPy array (format: http://yann.lecun.com/exdb/mnist/, bottom)."""
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in IDX_DTYPES:
        raise DataError(f"{name}: not an IDX file (magic bytes {data[:4].hex() or 'missing'}; expected "
                        "00 00 <type> <ndim>). Check that the file is an MNIST-style IDX file.")
    dtype, ndim = np.dtype(IDX_DTYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataError(f"{name}: IDX header is cut short ({len(data)} bytes for {ndim} dimensions); "
                        "the file is truncated: replace it.")
    shape = tuple(int(d) for d in np.frombuffer(data, ">u4", count=ndim, offset=4))
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise DataError(f"{name}: IDX header says shape {shape} ({expected} bytes) but the file holds "
                        f"{len(data)} bytes; the file is truncated or corrupt: replace it.")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx(path, sha256=None):
    """Read an IDX file (optionally .gz) into an array; verify its decompressed SHA-256 if given."""
    data = read_bytes(path)
    if sha256 is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != sha256:
            raise DataError(f"{path}: SHA-256 {digest[:16]}... does not match the expected {sha256[:16]}...; "
                            f"the file is corrupt or a different data set: replace it. {FETCH_HINT}")
    return parse_idx(data, name=str(path))


def find_idx_file(folder, stem):
    """``folder/stem.gz`` or ``folder/stem``, whichever exists."""
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.exists():
            return candidate
    raise DataError(f"{folder}: neither {stem}.gz nor {stem} is there. {FETCH_HINT}")


def fashion_mnist_dir(data_dir=None):
    """The folder to read Fashion-MNIST from: the argument, $COURSE_DATA_DIR, data/, then Debian's."""
    if data_dir is not None:
        return Path(data_dir)
    if os.environ.get("COURSE_DATA_DIR"):
        return Path(os.environ["COURSE_DATA_DIR"]) / "fashion-mnist"
    for folder in (REPO_DATA_DIR / "fashion-mnist", DEBIAN_FASHION_MNIST_DIR):
        if folder.is_dir():
            return folder
    return REPO_DATA_DIR / "fashion-mnist"  # missing: the reader's error then says what to do


_cache = {}


def read_fashion_mnist_arrays(data_dir=None):
    """The four raw uint8 arrays, read and verified once per process."""
    folder = fashion_mnist_dir(data_dir)
    key = str(folder.resolve())
    if key not in _cache:
        arrays = [read_idx(find_idx_file(folder, stem), sha256) for stem, sha256 in FASHION_MNIST_SHA256.items()]
        _cache[key] = arrays
    return _cache[key]


def load_fashion_mnist(n_train=None, n_test=None, data_dir=None, image_size=None, pad=0,
                       as_dataset=False, batch_size=128, shuffle=True, seed=0):
    """Fashion-MNIST as float32 images in [0, 1] with a channel axis, and int32 labels.

    n_train, n_test: take the first n images of each split (the splits are well mixed, so every
        class is present); None takes all 60,000 / 10,000.
    image_size: resize to (height, width), e.g. (32, 32) for LeNet or (64, 64) for a small AlexNet.
    pad: zero-pad each side by this many pixels (LeNet-5's 32x32 input is MNIST padded by 2).
    as_dataset: return ``tf.data.Dataset`` pipelines (shuffled train, batched, prefetched)
        instead of arrays.
    Returns ``(x_train, y_train), (x_test, y_test)``, or ``(train_ds, test_ds)`` with as_dataset.
    """
    if image_size is not None:
        check_image_size("image_size", image_size)
    whole_number("pad", pad, minimum=0, example=2)
    whole_number("batch_size", batch_size, example=128)
    x_train, y_train, x_test, y_test = read_fashion_mnist_arrays(data_dir)
    for name, n, total in (("n_train", n_train, len(x_train)), ("n_test", n_test, len(x_test))):
        if n is not None and not (isinstance(n, (int, np.integer)) and 0 < n <= total):
            raise ValueError(f"{name}={n!r}: must be a whole number from 1 to {total} (or None for all)")
    x_train, y_train = x_train[:n_train], y_train[:n_train]
    x_test, y_test = x_test[:n_test], y_test[:n_test]
    x_train, x_test = (prepare_images(x, image_size, pad) for x in (x_train, x_test))
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    if as_dataset:
        return (make_dataset(x_train, y_train, batch_size, shuffle=shuffle, seed=seed),
                make_dataset(x_test, y_test, batch_size, shuffle=False))
    return (x_train, y_train), (x_test, y_test)


def prepare_images(images, image_size=None, pad=0):
    """uint8 (N, H, W[, C]) -> float32 (N, H', W', C) in [0, 1], optionally padded and resized."""
    if image_size is not None:
        image_size = check_image_size("image_size", image_size)
    whole_number("pad", pad, minimum=0, example=2)
    x = np.asarray(images, np.float32) / 255.0
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, C); got {x.shape}")
    if pad:
        x = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    if image_size is not None and tuple(image_size) != x.shape[1:3]:
        import tensorflow as tf  # only resizing needs TensorFlow
        x = tf.image.resize(x, image_size, method="bilinear").numpy()
    return x


def make_dataset(x, y, batch_size=128, shuffle=True, seed=0):
    """A ``tf.data`` pipeline over arrays: shuffled (seeded) each epoch, batched, prefetched."""
    import tensorflow as tf

    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}; they must match")
    whole_number("batch_size", batch_size, example=128)
    ds = tf.data.Dataset.from_tensor_slices((x, y))
    if shuffle:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)


# ------------------------------------------------------------------------------ CIFAR-10 binary

CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer",
                   "dog", "frog", "horse", "ship", "truck")
CIFAR_RECORD_BYTES = 1 + 32 * 32 * 3  # a label byte, then 1024 red, 1024 green, 1024 blue bytes
CIFAR_HINT = ("Use the *binary* version of CIFAR-10 (cifar-10-binary.tar.gz, folder cifar-10-batches-bin "
              "with data_batch_1.bin ... data_batch_5.bin and test_batch.bin), not the Python pickles.")


def read_cifar10_batch(path):
    """One CIFAR-10 binary batch file -> uint8 images (N, 32, 32, 3) and int32 labels (N,)."""
    data = read_bytes(path)
    if len(data) == 0 or len(data) % CIFAR_RECORD_BYTES:
        raise DataError(f"{path}: {len(data)} bytes is not a whole number of {CIFAR_RECORD_BYTES}-byte "
                        f"CIFAR-10 records; the file is truncated or not a CIFAR-10 binary batch. {CIFAR_HINT}")
    records = np.frombuffer(data, np.uint8).reshape(-1, CIFAR_RECORD_BYTES)
    labels = records[:, 0].astype(np.int32)
    if labels.max() > 9:
        raise DataError(f"{path}: label {labels.max()} is out of range 0..9; this is not CIFAR-10 "
                        f"(CIFAR-100 binary has two label bytes). {CIFAR_HINT}")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return images, labels


def load_cifar10(data_dir):
    """CIFAR-10 from its binary batches: ``(x_train, y_train), (x_test, y_test)``, float32 in [0, 1]."""
    folder = Path(data_dir)
    if (folder / "cifar-10-batches-bin").is_dir():
        folder = folder / "cifar-10-batches-bin"
    train = [read_cifar10_batch(folder / f"data_batch_{i}.bin") for i in range(1, 6)]
    x_test, y_test = read_cifar10_batch(folder / "test_batch.bin")
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (prepare_images(x_train), y_train), (prepare_images(x_test), y_test)


# -------------------------------------------------------------------------------- image folders

def load_image_folder(folder, image_size=(224, 224), batch_size=32, validation_split=None,
                      subset=None, seed=0):
    """A folder with one sub-folder per class (e.g. Oxford 17 Flowers) as a ``tf.data.Dataset``.

    A thin wrapper over ``keras.utils.image_dataset_from_directory`` that fails early, with a
    clear message, when the folder is missing or holds no class folders. Pixel values stay 0..255.
    """
    import keras

    image_size = check_image_size("image_size", image_size, example="(224, 224)")
    whole_number("batch_size", batch_size, example=32)
    if validation_split is not None and not (isinstance(validation_split, float) and 0 < validation_split < 1):
        raise ValueError(f"validation_split={validation_split!r}: must be a fraction between 0 and 1, "
                         f"e.g. validation_split=0.2 (or None for no split)")
    if subset not in (None, "training", "validation", "both"):
        raise ValueError(f"subset={subset!r}: must be 'training', 'validation', 'both' or None")
    if (subset is None) != (validation_split is None):
        raise ValueError(f"subset={subset!r} with validation_split={validation_split!r}: give both "
                         f"(e.g. validation_split=0.2, subset='training') or neither")
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder. Point this at a folder with one sub-folder of "
                        "images per class (e.g. jpg/daisy/*.jpg, jpg/tulip/*.jpg).")
    classes = sorted(p.name for p in folder.iterdir() if p.is_dir())
    if not classes:
        raise DataError(f"{folder}: holds no class sub-folders. Put the images of each class in a "
                        "sub-folder named after the class.")
    check_images_decode(folder)
    return keras.utils.image_dataset_from_directory(
        folder, image_size=image_size, batch_size=batch_size, seed=seed,
        validation_split=validation_split, subset=subset, label_mode="int", verbose=False)


IMAGE_SUFFIXES = (".bmp", ".gif", ".jpeg", ".jpg", ".png")  # what image_dataset_from_directory reads


def check_images_decode(folder):
    """Raise DataError naming the first image under ``folder``'s class folders that does not decode.

    Keras' reader would stop mid-epoch with a bare TensorFlow error that names no file.
    """
    import tensorflow as tf

    for path in sorted(Path(folder).glob("*/*")):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            tf.io.decode_image(tf.io.read_file(str(path)), expand_animations=False)
        except (tf.errors.InvalidArgumentError, tf.errors.UnknownError) as e:
            raise DataError(f"{path}: not a readable image ({e.message.splitlines()[0]}); replace or "
                            f"delete the file.") from None
