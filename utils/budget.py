"""The one training budget every CNN chapter (05-14) spends on its headline run.

Architectures are compared only on equal budgets, so every chapter trains its own network the same
way and chapter 15 puts exactly these runs side by side:

* **data**: Fashion-MNIST's 60,000 training images split once into the first 54,000 for training
  and the last 6,000 for validation (the training file is well mixed, so each class has about 600);
  the 10,000 test images are evaluated once, after training. No augmentation: three epochs are
  too few for random shifts or flips to pay off (they help when a network can overfit, after
  tens of epochs), so the policy is "none" for every chapter.
* **steps**: ``EPOCHS`` epochs of batches of ``BATCH_SIZE`` (3 x 422 = 1,266 steps; 15 epochs with
  ``COURSE_FULL_SIZE=1``).
* **optimiser**: AdamW, learning rate warmed up linearly from 0 to ``PEAK_LEARNING_RATE`` over
  ``WARMUP_STEPS`` steps, then cosine-decayed to 0 at the last step (Loshchilov & Hutter's
  SGDR/AdamW schedule, as in timm and keras-cv recipes); decoupled weight decay ``WEIGHT_DECAY``.
  The warm-up keeps the first steps of deep nets from blowing up, the decay to 0 ends every run at
  a settled point, so its last-epoch numbers are stable between machines.

:func:`headline_run` prints one line per epoch (on the validation split), then a line starting
``headline`` with the test accuracy, the parameter count, multiply-adds and wall time.
:func:`read_headlines` reads those lines back from the chapters' stored outputs (chapter 15).
"""
import json
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

import keras

from utils.checks import whole_number
from utils.measured import MEASURED, measured

TRAIN_IMAGES = 54_000
VALIDATION_IMAGES = 6_000
EPOCHS = 3
FULL_EPOCHS = 15
BATCH_SIZE = 128
PEAK_LEARNING_RATE = 3e-3
WARMUP_STEPS = 100
WEIGHT_DECAY = 1e-4
TEST_BAND = 0.02  # the test accuracy after a full budget moves by < 0.01 between CPUs (make check-drift)

RECIPE = (f"{TRAIN_IMAGES:,} training images ({VALIDATION_IMAGES:,} held out for validation), "
          f"batches of {BATCH_SIZE}, AdamW (weight decay {WEIGHT_DECAY:g}), learning rate warmed up "
          f"to {PEAK_LEARNING_RATE:g} over {WARMUP_STEPS} steps then cosine-decayed to 0, no augmentation")


def epochs(full_size=False):
    """The budget's epochs: ``EPOCHS``, or ``FULL_EPOCHS`` for a full-size run."""
    return FULL_EPOCHS if full_size else EPOCHS


def load_data(pad=0, image_size=None, data_dir=None):
    """The budget's three splits: ``(train, validation, test)``, each an ``(x, y)`` pair.

    pad / image_size as in :func:`utils.data.load_fashion_mnist` (LeNet, VGG and GoogLeNet's
    stand-ins pad 28x28 to 32x32; AlexNet resizes to 64x64).
    """
    from utils.data import load_fashion_mnist
    (x, y), test = load_fashion_mnist(pad=pad, image_size=image_size, data_dir=data_dir)
    train = (x[:TRAIN_IMAGES], y[:TRAIN_IMAGES])
    validation = (x[TRAIN_IMAGES:TRAIN_IMAGES + VALIDATION_IMAGES],
                  y[TRAIN_IMAGES:TRAIN_IMAGES + VALIDATION_IMAGES])
    return train, validation, test


def learning_rate_schedule(total_steps, peak=PEAK_LEARNING_RATE, warmup_steps=WARMUP_STEPS):
    """Linear warm-up from 0 to ``peak`` over ``warmup_steps``, then cosine decay to 0 at ``total_steps``."""
    whole_number("total_steps", total_steps, minimum=warmup_steps + 1, example=1266)
    if not (isinstance(peak, (int, float)) and 0 < peak < 1):
        raise ValueError(f"peak={peak!r}: the peak learning rate must be a number in (0, 1), e.g. 3e-3")
    return keras.optimizers.schedules.CosineDecay(0.0, total_steps - warmup_steps, alpha=0.0,
                                                  warmup_target=peak, warmup_steps=warmup_steps)


def optimizer(total_steps, peak=PEAK_LEARNING_RATE):
    """The budget's AdamW with its schedule for a run of ``total_steps`` steps (a run shorter than
    four warm-ups, as in the tests, warms up over its first quarter)."""
    warmup = min(WARMUP_STEPS, total_steps // 4)
    return keras.optimizers.AdamW(learning_rate_schedule(total_steps, peak, warmup),
                                  weight_decay=WEIGHT_DECAY)


@dataclass
class Headline:
    """What a headline run reports (and chapter 15 reads back)."""
    chapter: str
    model: str
    test_accuracy: float
    parameters: int
    multiply_adds: int
    epochs: int
    images: int
    seconds: float

    def line(self):
        """``headline 05 lenet5: test accuracy 0.897 ±0.02, 61,706 parameters, ...``; the time is
        masked by the tests' sanitizer (it differs between machines), everything else compared."""
        return (f"headline {self.chapter} {self.model}: test accuracy "
                f"{measured(self.test_accuracy, TEST_BAND)}, {self.parameters:,} parameters, "
                f"{self.multiply_adds / 1e6:.1f} M multiply-adds per image, {self.epochs} epochs of "
                f"{self.images:,} images in {self.seconds:.1f} s")


LINE = re.compile(r"headline (?P<chapter>\d\d) (?P<model>\S+): test accuracy (?P<acc>\S+ ±\S+), "
                  r"(?P<params>[\d,]+) parameters, (?P<madds>[\d.]+) M multiply-adds per image, "
                  r"(?P<epochs>\d+) epochs of (?P<images>[\d,]+) images in (?P<seconds>[\d.]+) s")


def headline_run(model, data, chapter, full_size=False, peak_learning_rate=PEAK_LEARNING_RATE, verbose=True):
    """Train ``model`` on the budget and evaluate it once on the test set; print and return a :class:`Headline`.

    data: :func:`load_data`'s ``(train, validation, test)``. chapter: its number, "05" ... "14".
    The model is compiled here (the budget's optimiser and loss): pass it uncompiled.
    peak_learning_rate: the one setting a chapter may change (chosen on the validation split).
    """
    from utils.flops import count_flops
    from utils.train import fit
    if not re.fullmatch(r"\d\d", str(chapter)):
        raise ValueError(f"chapter={chapter!r}: give the chapter's two-digit number, e.g. chapter='05'")
    if model.compiled:
        raise ValueError(f"model {model.name!r} is already compiled: headline_run compiles it with the "
                         f"budget's optimiser; pass a freshly built model")
    train, validation, test = data
    n_epochs = epochs(full_size)
    steps = n_epochs * math.ceil(len(train[0]) / BATCH_SIZE)
    model.compile(optimizer=optimizer(steps, peak_learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    start = time.perf_counter()
    history = fit(model, train, test, validation=validation, epochs=n_epochs, batch_size=BATCH_SIZE,
                  verbose=verbose)
    seconds = time.perf_counter() - start
    result = Headline(str(chapter), model.name, history["test_accuracy"], model.count_params(),
                      count_flops(model) // 2, n_epochs, len(train[0]), seconds)
    result.history = history
    print(result.line())
    return result


def baseline_line(chapter, model, test_accuracy, parameters):
    """``baseline 04 mlp: test accuracy 0.869 ±0.02, 101,770 parameters``: a non-CNN reference the
    CNN chapters must beat (read back by :func:`read_baselines`)."""
    return f"baseline {chapter} {model}: test accuracy {measured(test_accuracy, TEST_BAND)}, {parameters:,} parameters"


BASELINE = re.compile(r"baseline (?P<chapter>\d\d) (?P<model>\S+): test accuracy (?P<acc>\S+ ±\S+), "
                      r"(?P<params>[\d,]+) parameters")


CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"


def stored_texts(chapters_dir=None):
    """(notebook path, output text) for every stream output stored in the chapters of ``chapters_dir``
    (default: the repository's ``chapters/``)."""
    chapters_dir = Path(chapters_dir) if chapters_dir is not None else CHAPTERS
    if not chapters_dir.is_dir():
        raise FileNotFoundError(f"chapters_dir={str(chapters_dir)!r} is not a folder: pass the "
                                f"repository's chapters/ folder")
    for path in sorted(chapters_dir.glob("[0-9][0-9]_*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            for output in cell.get("outputs", []):
                text = output.get("text", "")
                yield path, "".join(text) if isinstance(text, list) else text


def read_baselines(chapters_dir=None):
    """``{model: (test accuracy, parameters)}`` of the baseline lines stored in the chapters."""
    return {m["model"]: (float(MEASURED.match(m["acc"])["value"]), int(m["params"].replace(",", "")))
            for _, text in stored_texts(chapters_dir) for m in BASELINE.finditer(text)}


def read_headlines(chapters_dir=None):
    """The headline lines stored in the chapter notebooks of ``chapters_dir``, as :class:`Headline` s
    in chapter order (one per chapter that has one). Values come from the stored outputs, so chapter
    15 shows what the other chapters' last runs printed."""
    found = []
    for _, text in stored_texts(chapters_dir):
        for match in LINE.finditer(text):
            acc = float(MEASURED.match(match["acc"])["value"])
            found.append(Headline(match["chapter"], match["model"], acc,
                                  int(match["params"].replace(",", "")),
                                  round(float(match["madds"]) * 1e6), int(match["epochs"]),
                                  int(match["images"].replace(",", "")), float(match["seconds"])))
    return found
