"""The shared training budget (utils.budget), fit's validation data, and the small GoogLeNet."""
import json

import keras
import numpy as np
import pytest

from utils import budget, train
from utils.models import googlenet


def test_splits_are_disjoint_and_sized():
    (x, y), (xv, yv), (xt, yt) = budget.load_data()
    assert len(x) == budget.TRAIN_IMAGES == 54_000 and len(xv) == budget.VALIDATION_IMAGES == 6_000
    assert len(xt) == 10_000 and x.shape[1:] == (28, 28, 1)
    # the validation images are the last 6,000 of the training file, never trained on
    assert not any(np.array_equal(xv[0], img) for img in x[-100:])
    assert np.bincount(yv, minlength=10).min() > 500   # every class is in the validation split
    (x32, _), _, _ = budget.load_data(pad=2)
    assert x32.shape[1:] == (32, 32, 1)


def test_schedule_warms_up_then_decays_to_zero():
    schedule = budget.learning_rate_schedule(1000, peak=3e-3, warmup_steps=100)
    values = [float(schedule(step)) for step in (0, 50, 100, 550, 1000)]
    np.testing.assert_allclose(values, [0.0, 1.5e-3, 3e-3, 1.5e-3, 0.0], atol=1e-6)
    with pytest.raises(ValueError, match="peak=5"):
        budget.learning_rate_schedule(1000, peak=5)
    with pytest.raises(ValueError, match="total_steps"):
        budget.learning_rate_schedule(50)


def tiny_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(),
                             keras.layers.Dense(10, activation="softmax")], name="tiny")


def tiny_data():
    (x, y), (xv, yv), (xt, yt) = budget.load_data()
    return (x[:600], y[:600]), (xv[:200], yv[:200]), (xt[:300], yt[:300])


def test_headline_run_and_read_back(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(budget, "EPOCHS", 2)
    result = budget.headline_run(tiny_model(), tiny_data(), chapter="05")
    printed = capsys.readouterr().out
    assert printed.count("epoch ") == 2 and result.line() in printed
    assert result.parameters == 7850 and result.epochs == 2 and result.images == 600
    assert 7840 <= result.multiply_adds < 8000
    assert 0.3 < result.test_accuracy <= 1     # 10 steps of a linear model: well above chance (0.1)
    assert result.history["test_accuracy"] == result.test_accuracy
    notebook = {"cells": [{"cell_type": "code", "outputs": [
        {"output_type": "stream", "name": "stdout", "text": [printed]},
        {"output_type": "stream", "name": "stdout",
         "text": budget.baseline_line("04", "mlp", 0.8691, 101_770) + "\n"}]}]}
    (tmp_path / "05_x.ipynb").write_text(json.dumps(notebook))
    [back] = budget.read_headlines(tmp_path)
    assert (back.chapter, back.model, back.parameters, back.epochs, back.images) == ("05", "tiny", 7850, 2, 600)
    assert back.test_accuracy == round(result.test_accuracy, 3)
    assert budget.read_baselines(tmp_path) == {"mlp": (0.869, 101_770)}


def test_headline_run_refuses_bad_input():
    with pytest.raises(ValueError, match="chapter=5"):
        budget.headline_run(tiny_model(), tiny_data(), chapter=5)
    compiled = tiny_model()
    compiled.compile(loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match="already compiled"):
        budget.headline_run(compiled, tiny_data(), chapter="05")
    with pytest.raises(FileNotFoundError, match="not a folder"):
        budget.read_headlines("/no/such/folder")


def test_fit_scores_validation_each_epoch_and_test_once():
    data, validation, test = tiny_data()
    model = tiny_model()
    history = train.fit(model, data, test, validation=validation, epochs=1, verbose=False)
    val = model.evaluate(*validation, verbose=0, return_dict=True)
    tst = model.evaluate(*test, verbose=0, return_dict=True)
    assert history["val_accuracy"][-1] == pytest.approx(val["accuracy"])
    assert history["test_accuracy"] == pytest.approx(tst["accuracy"])
    with pytest.raises(TypeError, match="validation=list"):
        train.fit(tiny_model(), data, validation=[1, 2])


def test_small_googlenet_has_nine_reduced_modules():
    model = googlenet.small_googlenet()
    modules = [layer.name for layer in model.layers if layer.name.endswith("_output")]
    assert modules == [f"inception_{b}_output" for b in googlenet.INCEPTION_V1]
    assert all(model.get_layer(f"inception_{b}_3x3_reduce").kernel_size == (1, 1) for b in googlenet.INCEPTION_V1)
    assert model.get_layer("inception_3a_output").output.shape[1:3] == (14, 14)
    assert model.get_layer("inception_5b_output").output.shape[1:] == (4, 4, 96 + 96 + 32 + 32)  # 5b: (384, 384, 128, 128) / 4
    assert model.output.shape[1:] == (10,)
