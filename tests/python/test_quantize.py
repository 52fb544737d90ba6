"""ember quantize / ember.quantize: static INT8 on the bundled digits model (real data, accuracy
measured by onnxruntime on the saved file), the quantized files in onnxruntime vs Ember, and
bad input. Dynamic, weight-only and fp16 are in test_quantize_modes.py."""
import json
import os

import numpy as np
import onnxruntime as ort
import pytest

import ember
from conftest import DIGITS, assert_close, ember_cli

CALIBRATION_IMAGES = 100  # the first 100 held-out images calibrate; the other 259 evaluate


def ort_run(path, feeds):
    s = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    return s.run(None, feeds)


def ort_top1(path, images, labels):
    (logits,) = ort_run(path, {"input": images})
    return float(np.mean(np.argmax(logits, axis=1) == labels))


@pytest.fixture(scope="module")
def digits_dirs(tmp_path_factory, digits_samples):
    """calibration/: 5 feeds of 20 images; eval/: the other 259 images in 4 files with labels."""
    images, labels = digits_samples
    root = tmp_path_factory.mktemp("digits")
    calib, ev = root / "calibration", root / "eval"
    calib.mkdir()
    ev.mkdir()
    for k in range(0, CALIBRATION_IMAGES, 20):
        np.savez(calib / f"{k:03d}.npz", input=images[k:k + 20])
    rest, rest_labels = images[CALIBRATION_IMAGES:], labels[CALIBRATION_IMAGES:]
    for k, chunk in enumerate(np.array_split(np.arange(len(rest)), 4)):
        np.savez(ev / f"{k}.npz", input=rest[chunk], label=rest_labels[chunk])
    return calib, ev, rest, rest_labels


@pytest.mark.parametrize("method", ["minmax", "percentile", "entropy"])
def test_static_digits_loses_at_most_one_point(tmp_path, digits_dirs, method):
    calib, ev, images, labels = digits_dirs
    out = tmp_path / "digits.int8.onnx"
    # 7-bit weights: onnxruntime's u8 x s8 kernels on this AVX2 machine (vpmaddubsw) saturate
    # with full-range int8 weights, and its accuracy on the file is the independent check here.
    r = ember_cli("quantize", DIGITS, out, "--calibration", calib, "--method", method, "--per-channel",
                  "--reduce-range", "--eval", ev, "--runs", "5", "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    print(method, report)
    assert report["mode"] == "static" and report["eval_rows"] == len(labels)
    assert report["ops_after"].get("QLinearConv") == 2 and report["ops_after"].get("MatMulInteger") == 2
    assert "Conv" not in report["ops_after"] and "Gemm" not in report["ops_after"]
    # Ember's own accuracy figures, and independently onnxruntime's on the same files.
    assert report["top1_after"] >= report["top1_before"] - 0.01
    f32, int8 = ort_top1(DIGITS, images, labels), ort_top1(str(out), images, labels)
    print(f"onnxruntime top-1: float32 {f32:.4f}, int8 ({method}) {int8:.4f}")
    assert int8 >= f32 - 0.01
    assert abs(report["top1_before"] - f32) < 1e-9
    assert report["bytes_after"] < report["bytes_before"]
    assert "calibrating" in r.stderr  # the progress bar


def test_static_full_range_weights_keep_accuracy_in_ember(tmp_path, digits_dirs):
    """Full int8 weights [-127, 127]: Ember's integer arithmetic is exact (no 16-bit saturation), so
    its accuracy holds; onnxruntime on AVX2 saturates on such files, hence --reduce-range above."""
    calib, ev, _, labels = digits_dirs
    r = ember_cli("quantize", DIGITS, tmp_path / "q.onnx", "--calibration", calib, "--method", "entropy",
                  "--per-channel", "--eval", ev, "--runs", "0", "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["top1_after"] >= report["top1_before"] - 0.01 and report["eval_rows"] == len(labels)


def test_static_regions_have_qdq_only_at_edges(tmp_path, digits_dirs):
    import onnx
    calib, _, _, _ = digits_dirs
    out = tmp_path / "q.onnx"
    r = ember_cli("quantize", DIGITS, out, "--calibration", calib, "--per-channel", "--runs", "0", "--quiet")
    assert r.returncode == 0, r.stderr
    m = onnx.load(str(out))
    onnx.checker.check_model(m, full_check=True)
    ops = [n.op_type for n in m.graph.node]
    print(ops)
    # input -> Q -> QLinearConv(+Relu) -> QLinearConv(+Relu) -> MaxPool(uint8) -> Flatten(uint8)
    # -> MatMulInteger ...: one QuantizeLinear at the input edge, none between the convs.
    assert ops.count("QuantizeLinear") == 2  # the input, and the second Gemm's float input
    assert "Relu" in ops  # the Gemm's Relu stays float (the Gemm's output is float)
    assert ops.index("MaxPool") > ops.index("QLinearConv")
    assert all(n.op_type != "DequantizeLinear" for n in m.graph.node)
    assert {p.key: p.value for p in m.metadata_props}.get("ember.quantized") == "static"


def test_static_file_runs_in_onnxruntime_like_ember(tmp_path, digits_dirs, digits_samples):
    calib, _, _, _ = digits_dirs
    out = tmp_path / "q.onnx"
    res = ember.quantize(DIGITS, out, calibration=[{"input": np.load(f)["input"]} for f in sorted(calib.iterdir())],
                         per_channel=True, reduce_range=True, runs=0, progress=False)
    assert res.mode == "static" and res.latency_before_ms is None
    images, _ = digits_samples
    x = images[:64]
    (theirs,) = ort_run(str(out), {"input": x})
    for threads in (1, 2):
        (ours,) = ember.Session(str(out), threads=threads).run(None, {"input": x})
        # Same integer arithmetic (7-bit weights: no saturation in onnxruntime's kernels); the
        # requantization multiplier is rounded differently (float vs double), so a value at a
        # rounding tie may land one uint8 step apart and move a logit by about one step.
        assert_close(ours, theirs, f"logits (threads={threads})", rtol=0, atol=0.02 * np.abs(theirs).max())
        assert np.mean(np.argmax(ours, 1) == np.argmax(theirs, 1)) >= 0.98


def test_python_api_reports_the_same_fields(tmp_path, digits_samples):
    images, labels = digits_samples
    calib = ({"input": images[k:k + 25]} for k in range(0, 100, 25))  # any iterable, even a generator
    ev = [{"input": images[100:], "label": labels[100:]}]
    res = ember.quantize(DIGITS, tmp_path / "q.onnx", calibration=calib, method="entropy", per_channel=True,
                         eval=ev, runs=3, progress=False)
    assert isinstance(res, ember.QuantizeResult)
    assert res.top1_after >= res.top1_before - 0.01
    assert res.latency_before_ms > 0 and res.latency_after_ms > 0
    assert json.loads(res.json)["top1_after"] == pytest.approx(res.top1_after)
    assert "top-1 (%)" in res.report and "file size" in res.report
    assert any(lbl.startswith("quantize_static: Conv") for lbl in res.rewrites)


# ---- bad input -------------------------------------------------------------------------------

def test_missing_calibration_dir_is_a_clear_error(tmp_path):
    out = tmp_path / "q.onnx"
    r = ember_cli("quantize", DIGITS, out, "--calibration", tmp_path / "nope")
    assert r.returncode != 0
    assert "calibration directory" in r.stderr and "does not exist" in r.stderr
    assert not out.exists()


def test_empty_calibration_dir_is_a_clear_error(tmp_path):
    (tmp_path / "c").mkdir()
    r = ember_cli("quantize", DIGITS, tmp_path / "q.onnx", "--calibration", tmp_path / "c")
    assert r.returncode != 0 and "has no .npz files" in r.stderr


def test_wrong_feed_names_name_the_file(tmp_path):
    c = tmp_path / "c"
    c.mkdir()
    np.savez(c / "0.npz", image=np.zeros((1, 1, 8, 8), np.float32))
    out = tmp_path / "q.onnx"
    r = ember_cli("quantize", DIGITS, out, "--calibration", c, "--quiet")
    assert r.returncode != 0
    assert "0.npz" in r.stderr and "unknown input 'image'" in r.stderr, r.stderr
    assert not out.exists()
    with pytest.raises(ember.InvalidArgumentError, match="unknown input 'image'"):
        ember.quantize(DIGITS, out, calibration=[{"image": np.zeros((1, 1, 8, 8), np.float32)}], progress=False)


def test_compressed_npz_calibrates_like_stored(tmp_path):
    """np.savez_compressed feeds (deflated members) give the same quantized file as np.savez."""
    images = np.random.default_rng(3).random((16, 1, 8, 8), dtype=np.float32)
    outs = []
    for save in (np.savez, np.savez_compressed):
        c = tmp_path / save.__name__
        c.mkdir()
        save(c / "0.npz", input=images[:8])
        save(c / "1.npz", input=images[8:])
        # The same file name in both runs: a quantized file names its external-data file.
        (tmp_path / f"out_{save.__name__}").mkdir()
        out = tmp_path / f"out_{save.__name__}" / "q.onnx"
        r = ember_cli("quantize", DIGITS, out, "--calibration", c, "--quiet")
        assert r.returncode == 0, r.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_corrupt_compressed_npz_is_refused_by_member(tmp_path):
    c = tmp_path / "c"
    c.mkdir()
    np.savez_compressed(c / "0.npz", input=np.random.default_rng(4).random((8, 1, 8, 8), dtype=np.float32))
    raw = bytearray((c / "0.npz").read_bytes())
    start = raw.index(b"input.npy") + len(b"input.npy")  # the local header's name, then the data
    for k in range(start + 40, start + 200):
        raw[k] ^= 0x5A
    (c / "0.npz").write_bytes(bytes(raw))
    out = tmp_path / "q.onnx"
    r = ember_cli("quantize", DIGITS, out, "--calibration", c, "--quiet")
    assert r.returncode != 0 and "input.npy" in r.stderr, r.stderr
    assert not out.exists()


def test_mode_must_be_given_once(tmp_path):
    r = ember_cli("quantize", DIGITS, tmp_path / "q.onnx")
    assert r.returncode == 2 and "exactly one of" in r.stderr
    r = ember_cli("quantize", DIGITS, tmp_path / "q.onnx", "--dynamic", "--fp16")
    assert r.returncode == 2
    r = ember_cli("quantize", DIGITS, tmp_path / "q.onnx", "--weight-only", "int3")
    assert r.returncode == 2 and "int8 or int4" in r.stderr
    with pytest.raises(ValueError, match="exactly one"):
        ember.quantize(DIGITS, tmp_path / "q.onnx")
    with pytest.raises(ValueError, match="method"):
        ember.quantize(DIGITS, tmp_path / "q.onnx", calibration=[{}], method="kl")


def test_missing_eval_label_is_a_clear_error(tmp_path, digits_samples):
    images, _ = digits_samples
    with pytest.raises(ember.InvalidArgumentError, match="no 'label' array"):
        ember.quantize(DIGITS, tmp_path / "q.onnx", dynamic=True, eval=[{"input": images[:4]}], progress=False)
    assert not (tmp_path / "q.onnx").exists()  # checked before anything is written


def test_output_over_the_input_is_refused(tmp_path):
    import shutil
    model = tmp_path / "m.onnx"
    shutil.copy(DIGITS, model)
    before = model.read_bytes()
    r = ember_cli("quantize", model, model, "--dynamic")
    assert r.returncode == 1 and "is the input model" in r.stderr
    assert model.read_bytes() == before
