"""Ember against onnxruntime on the bundled digits CNN and the generated reference models."""
import numpy as np
import onnxruntime as ort
import pytest

import ember
from conftest import DIGITS, assert_close
from make_models import random_feeds


def ort_run(path, feeds):
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return [o.name for o in sess.get_outputs()], sess.run(None, feeds)


def compare(path, feeds, **session_options):
    names, expected = ort_run(path, feeds)
    s = ember.Session(path, **session_options)
    assert [o.name for o in s.outputs] == names
    actual = s.run(None, feeds)
    assert len(actual) == len(expected)
    for name, a, e in zip(names, actual, expected):
        assert_close(a, e, name)
    return actual


def test_digits_all_samples_match_onnxruntime_and_classify(digits_samples):
    images, labels = digits_samples
    (logits,) = compare(DIGITS, {"input": images}, threads=2)
    accuracy = (logits.argmax(1) == labels).mean()
    assert accuracy > 0.97, f"accuracy {accuracy:.4f}"  # models/README.md: 98.89 % by onnxruntime


@pytest.mark.parametrize("batch", [1, 7, 64])
def test_digits_random_batches(rng, batch):
    x = rng.standard_normal((batch, 1, 8, 8)).astype(np.float32)
    compare(DIGITS, {"input": x}, threads=1)


@pytest.mark.parametrize("optimization", [0, 1, 2, 3])
def test_digits_every_optimization_level(rng, optimization):
    x = rng.random((5, 1, 8, 8)).astype(np.float32)
    compare(DIGITS, {"input": x}, optimization=optimization)


@pytest.mark.parametrize("name", ["resnet50", "mobilenet_v2", "bert_base"])
def test_reference_models_match_onnxruntime(generated_model, rng, name):
    feeds = random_feeds(name, rng)
    outputs = compare(generated_model(name), feeds, threads=2)
    for out in outputs:  # the comparison only means something if activations are sane
        assert np.isfinite(out).all()
        assert 0.01 < float(np.abs(out).mean()) < 100.0
