"""The Python API contract: session info, model loading, output selection, memory handling,
threading and error types."""
import pathlib
import threading
import time

import numpy as np
import onnxruntime as ort
import pytest

import ember
from ember import _ember
from conftest import DIGITS, assert_close


@pytest.fixture(scope="module")
def digits():
    return ember.Session(DIGITS, threads=1)


def reference(x):
    sess = ort.InferenceSession(DIGITS, providers=["CPUExecutionProvider"])
    return sess.run(None, {"input": x})[0]


def test_version():
    assert ember.__version__ == "0.1.0"


def test_inputs_and_outputs_info(digits):
    (inp,) = digits.inputs
    (out,) = digits.outputs
    assert isinstance(inp, ember.TensorInfo)
    assert (inp.name, inp.dtype, inp.shape) == ("input", np.dtype(np.float32), (None, 1, 8, 8))
    assert (out.name, out.dtype, out.shape) == ("logits", np.dtype(np.float32), (None, 10))
    assert "input" in repr(digits)


@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "pathlib"])
def test_load_from_bytes_and_paths(rng, kind):
    raw = pathlib.Path(DIGITS).read_bytes()
    model = {"bytes": raw, "bytearray": bytearray(raw), "memoryview": memoryview(raw),
             "pathlib": pathlib.Path(DIGITS)}[kind]
    s = ember.Session(model)
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    assert_close(s.run(None, {"input": x})[0], reference(x), "logits")


def test_model_of_wrong_python_type_is_rejected():
    with pytest.raises(ember.InvalidArgumentError, match="path .* or bytes"):
        ember.Session(12345)


def test_output_selection(rng, digits):
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    everything = digits.run(None, {"input": x})
    by_name = digits.run(["logits"], {"input": x})
    twice = digits.run(("logits", "logits"), {"input": x})
    assert len(everything) == 1 and len(by_name) == 1 and len(twice) == 2
    np.testing.assert_array_equal(by_name[0], everything[0])
    np.testing.assert_array_equal(twice[1], everything[0])
    with pytest.raises(ember.InvalidArgumentError, match="nope"):
        digits.run(["nope"], {"input": x})
    with pytest.raises(ember.InvalidArgumentError, match="list of names"):
        digits.run("logits", {"input": x})


def test_contiguous_input_is_wrapped_without_copy_and_others_are_copied(rng, digits):
    x = rng.standard_normal((4, 1, 8, 8)).astype(np.float32)
    assert _ember._input_address(x) == x.ctypes.data
    readonly = x.copy()
    readonly.flags.writeable = False
    assert _ember._input_address(readonly) == readonly.ctypes.data
    strided = rng.standard_normal((4, 1, 8, 16)).astype(np.float32)[..., ::2]
    assert not strided.flags.c_contiguous
    assert _ember._input_address(strided) != strided.ctypes.data
    swapped = x.astype(x.dtype.newbyteorder())  # same values, foreign byte order
    assert _ember._input_address(swapped) != swapped.ctypes.data
    # Each of these inputs gives the right answer.
    want = reference(np.ascontiguousarray(strided))
    assert_close(digits.run(None, {"input": strided})[0], want, "strided")
    assert_close(digits.run(None, {"input": swapped})[0], reference(x), "byteswapped")
    assert_close(digits.run(None, {"input": readonly})[0], reference(x), "readonly")


def test_input_is_not_modified_and_outputs_are_independent_owned_arrays(rng, digits):
    x = rng.standard_normal((3, 1, 8, 8)).astype(np.float32)
    before = x.copy()
    a = digits.run(None, {"input": x})[0]
    b = digits.run(None, {"input": x})[0]
    np.testing.assert_array_equal(x, before)
    assert not a.flags.owndata and a.base is not None  # Ember's buffer, not a numpy copy
    assert a.flags.c_contiguous and a.flags.writeable
    assert a.ctypes.data != b.ctypes.data
    a[...] = 0  # writing one result must not touch another
    assert_close(b, reference(x), "second run")


def test_output_outlives_session(rng):
    x = rng.standard_normal((2, 1, 8, 8)).astype(np.float32)
    out = ember.Session(DIGITS).run(None, {"input": x})[0]
    import gc
    gc.collect()
    assert_close(out, reference(x), "logits after the session is gone")


def test_array_likes_are_converted_then_type_checked(digits):
    x = np.zeros((1, 1, 8, 8), np.float32)
    with pytest.raises(ember.TypeMismatchError, match="float64"):
        digits.run(None, {"input": x.tolist()})  # numpy makes float64 of a nested list
    with pytest.raises(ember.TypeMismatchError, match="object"):
        digits.run(None, {"input": object()})  # becomes a 0-d object array


def test_two_threads_share_one_session(rng):
    s = ember.Session(DIGITS, threads=1)
    xs = [rng.standard_normal((33, 1, 8, 8)).astype(np.float32) for _ in range(2)]
    wants = [reference(x) for x in xs]
    results, errors = [None, None], []

    def work(i):
        try:
            for _ in range(20):
                results[i] = s.run(None, {"input": xs[i]})[0]
                assert_close(results[i], wants[i], f"thread {i}")
        except BaseException as e:  # noqa: BLE001 - re-raised in the main thread
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def test_run_releases_the_gil():
    """While one thread is inside run(), another Python thread keeps running: the largest gap
    between its loop iterations must be far shorter than the run itself."""
    s = ember.Session(DIGITS, threads=1)
    batch = 2048
    x = np.random.default_rng(0).random((batch, 1, 8, 8), dtype=np.float32)
    start = time.perf_counter()
    s.run(None, {"input": x})
    duration = time.perf_counter() - start
    while duration < 0.2 and batch < 1 << 18:  # make the run long enough to measure
        batch *= 4
        x = np.random.default_rng(0).random((batch, 1, 8, 8), dtype=np.float32)
        start = time.perf_counter()
        s.run(None, {"input": x})
        duration = time.perf_counter() - start
    assert duration >= 0.2, "could not make a run last 200 ms"

    done = threading.Event()
    worker = threading.Thread(target=lambda: (s.run(None, {"input": x}), done.set()))
    ticks = []
    worker.start()
    while not done.is_set():
        ticks.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    gaps = np.diff(ticks)
    assert len(ticks) > 10 and gaps.max() < duration / 2, \
        f"main thread stalled {gaps.max() * 1e3:.0f} ms during a {duration * 1e3:.0f} ms run"


# ---------------------------------------------------------------- errors

def test_error_classes_and_status_codes():
    expected = {1: ember.InvalidArgumentError, 2: ember.InvalidModelError, 3: ember.UnsupportedError,
                4: ember.ShapeMismatchError, 5: ember.TypeMismatchError, 6: ember.OutOfMemoryError,
                7: ember.IoError, 8: ember.DeviceError, 9: ember.EmberRuntimeError}
    for status, cls in expected.items():
        with pytest.raises(cls, match=f"message {status}") as info:
            _ember._raise_status(status, f"message {status}")
        assert isinstance(info.value, ember.EmberError)
        assert info.value.status == status
        assert info.value.message == f"message {status}"


def test_wrong_input_shape(digits):
    with pytest.raises(ember.ShapeMismatchError, match="input") as info:
        digits.run(None, {"input": np.zeros((1, 1, 7, 8), np.float32)})
    assert info.value.status == 4
    with pytest.raises(ember.ShapeMismatchError):
        digits.run(None, {"input": np.zeros((1, 8, 8), np.float32)})


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float16, np.bool_])
def test_wrong_input_dtype(digits, dtype):
    with pytest.raises(ember.TypeMismatchError, match="input") as info:
        digits.run(None, {"input": np.zeros((1, 1, 8, 8), dtype)})
    assert info.value.status == 5


def test_dtype_without_ember_equivalent(digits):
    with pytest.raises(ember.TypeMismatchError, match="complex"):
        digits.run(None, {"input": np.zeros((1, 1, 8, 8), np.complex64)})


def test_unknown_and_missing_inputs(digits):
    x = np.zeros((1, 1, 8, 8), np.float32)
    with pytest.raises(ember.InvalidArgumentError, match="imput"):
        digits.run(None, {"imput": x})
    with pytest.raises(ember.InvalidArgumentError, match="input"):
        digits.run(None, {})
    with pytest.raises(TypeError):
        digits.run(None, [x])


def test_bad_options():
    with pytest.raises(ember.InvalidArgumentError, match="threads"):
        ember.Session(DIGITS, threads=-1)
    with pytest.raises(ember.InvalidArgumentError, match="optimization"):
        ember.Session(DIGITS, optimization=7)
    with pytest.raises(ember.InvalidArgumentError, match="no_such_option"):
        ember.Session(DIGITS, no_such_option="1")


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ember.IoError, match="does_not_exist"):
        ember.Session(str(tmp_path / "does_not_exist.onnx"))
    with pytest.raises(ember.EmberError):
        ember.Session(str(tmp_path))


def test_empty_and_garbage_models(tmp_path):
    with pytest.raises(ember.InvalidModelError):
        ember.Session(b"")
    with pytest.raises(ember.InvalidModelError):
        ember.Session(b"this is not a protobuf at all \xff\xfe")


# ---- sequences, optionals and strings

def _model(nodes, inputs, outputs, opset=18):
    from onnx import helper  # noqa: PLC0415
    graph = helper.make_graph(nodes, "g", inputs, outputs)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)]).SerializeToString()


def _seq_type(elem):
    from onnx import helper  # noqa: PLC0415
    return helper.make_sequence_type_proto(helper.make_tensor_type_proto(elem, None))


def test_sequence_inputs_and_outputs_are_lists():
    from onnx import TensorProto, helper  # noqa: PLC0415
    f = TensorProto.FLOAT
    model = _model(
        [helper.make_node("SequenceInsert", ["seq", "x"], ["out"]),
         helper.make_node("SequenceLength", ["out"], ["n"])],
        [helper.make_value_info("seq", _seq_type(f)), helper.make_tensor_value_info("x", f, None)],
        [helper.make_value_info("out", _seq_type(f)), helper.make_tensor_value_info("n", TensorProto.INT64, [])])
    sess = ember.Session(model, threads=1)
    a, b = np.arange(3, dtype=np.float32), np.ones((2, 2), np.float32)
    out, n = sess.run(None, {"seq": [a], "x": b})
    assert isinstance(out, list) and len(out) == 2 and int(n) == 2
    np.testing.assert_array_equal(out[0], a)
    np.testing.assert_array_equal(out[1], b)
    out[0][0] = 42  # outputs never alias the caller's inputs
    assert a[0] == 0
    out, n = sess.run(None, {"seq": [], "x": b})  # an empty sequence
    assert len(out) == 1 and int(n) == 1
    with pytest.raises(ember.TypeMismatchError):
        sess.run(None, {"seq": [np.arange(3)], "x": b})  # int64 element for a float sequence
    with pytest.raises(ember.InvalidArgumentError):
        sess.run(None, {"seq": a, "x": b})  # an array where a list is needed


def test_optional_inputs_and_outputs_are_none_or_values():
    from onnx import TensorProto, helper  # noqa: PLC0415
    f = TensorProto.FLOAT
    opt = helper.make_optional_type_proto(helper.make_tensor_type_proto(f, None))
    model = _model(
        [helper.make_node("OptionalHasElement", ["o"], ["has"]),
         helper.make_node("Identity", ["o"], ["same"])],
        [helper.make_value_info("o", opt)],
        [helper.make_tensor_value_info("has", TensorProto.BOOL, []), helper.make_value_info("same", opt)])
    sess = ember.Session(model, threads=1)
    has, same = sess.run(None, {"o": None})
    assert not bool(has) and same is None
    x = np.arange(4, dtype=np.float32)
    has, same = sess.run(None, {"o": x})
    assert bool(has)
    np.testing.assert_array_equal(same, x)


def test_string_tensors_round_trip_as_object_arrays():
    from onnx import TensorProto, helper  # noqa: PLC0415
    s = TensorProto.STRING
    model = _model([helper.make_node("StringConcat", ["a", "b"], ["c"])],
                   [helper.make_tensor_value_info("a", s, None), helper.make_tensor_value_info("b", s, None)],
                   [helper.make_tensor_value_info("c", s, None)], opset=20)
    sess = ember.Session(model, threads=1)
    (c,) = sess.run(None, {"a": np.array(["x", "é"], dtype=object), "b": np.array(["1", "2"])})
    assert c.dtype == object and c.tolist() == ["x1", "é2"]
    (c,) = sess.run(None, {"a": np.array([b"u"], dtype=object), "b": np.array("v", dtype=object)})
    assert c.tolist() == ["uv"]
    with pytest.raises(ember.TypeMismatchError):
        sess.run(None, {"a": np.array([1, "x"], dtype=object), "b": np.array(["1"])})
