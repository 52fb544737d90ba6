"""ember.optimize / `ember optimize`: saved models (ONNX writer, 64-byte aligned external data,
atomic writes) reload with the same outputs as onnxruntime on the original; files without
ai.ember nodes pass onnx.checker and load in onnxruntime; external data written by onnx.save
loads too, and hostile external data references are refused with an error naming the tensor."""
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import ember
from conftest import DIGITS, assert_close, ember_cli


def ort_run(path, feeds):
    return ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, feeds)




def mlp_model(rng, hidden=300):
    """x[N, 64] -> MatMul(W1 64 x hidden) + b1 -> Relu -> MatMul(W2 hidden x 10) -> If(flag) body
    that captures the outer bias b2. W1, W2 and b1 (1200 bytes) reach the 1 KiB threshold
    (external); b2 (40 bytes) stays embedded."""
    w1 = rng.standard_normal((64, hidden)).astype(np.float32) * 0.1
    b1 = rng.standard_normal(hidden).astype(np.float32)
    w2 = rng.standard_normal((hidden, 10)).astype(np.float32) * 0.1
    b2 = rng.standard_normal(10).astype(np.float32)
    then_g = helper.make_graph([helper.make_node("Add", ["z", "b2"], ["t_out"])], "then", [],
                               [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, None)])
    else_g = helper.make_graph([helper.make_node("Sub", ["z", "b2"], ["e_out"])], "else", [],
                               [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, None)])
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"], name="mm1"),
             helper.make_node("Add", ["h", "b1"], ["hb"], name="add1"),
             helper.make_node("Relu", ["hb"], ["r"], name="relu1"),
             helper.make_node("MatMul", ["r", "W2"], ["z"], name="mm2"),
             helper.make_node("If", ["flag"], ["y"], name="branch", then_branch=then_g, else_branch=else_g)]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64]),
         helper.make_tensor_value_info("flag", TensorProto.BOOL, [])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 10])],
        [numpy_helper.from_array(a, n) for a, n in ((w1, "W1"), (b1, "b1"), (w2, "W2"), (b2, "b2"))])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    return model


@pytest.fixture
def mlp(tmp_path, rng):
    path = tmp_path / "mlp.onnx"
    onnx.save(mlp_model(rng), str(path))
    feeds = {"x": rng.standard_normal((7, 64)).astype(np.float32), "flag": np.array(True)}
    return path, feeds


@pytest.mark.parametrize("level", [0, 1])
def test_saved_model_passes_checker_and_loads_in_onnxruntime(tmp_path, mlp, level):
    src, feeds = mlp
    dst = tmp_path / "out" / "saved.onnx"
    dst.parent.mkdir()
    res = ember.optimize(src, dst, level=level)
    assert res.output_path == str(dst) and res.level == level
    saved = onnx.load(str(dst))
    assert not any(op.domain == "ai.ember" for op in saved.opset_import)
    onnx.checker.check_model(str(dst), full_check=True)
    assert {p.key: p.value for p in saved.metadata_props}["ember.optimized"] == str(level)
    assert saved.producer_name == "ember"
    for flag in (True, False):
        f = dict(feeds, flag=np.array(flag))
        want = ort_run(src, f)[0]
        assert_close(ort_run(dst, f)[0], want, f"onnxruntime on the saved model (flag={flag})")
        assert_close(ember.Session(dst, threads=1).run(None, f)[0], want, f"ember on the saved model (flag={flag})")


def test_external_data_layout(tmp_path, mlp):
    src, _ = mlp
    dst = tmp_path / "saved.onnx"
    res = ember.optimize(src, dst, level=0)
    data = tmp_path / "saved.onnx.data"
    assert res.data_path == str(data) and res.external_tensors == 3
    assert os.path.getsize(data) == res.data_bytes
    m = onnx.load(str(dst), load_external_data=False)
    external = {}
    for t in m.graph.initializer:
        if t.data_location == TensorProto.EXTERNAL:
            info = {e.key: e.value for e in t.external_data}
            assert info["location"] == "saved.onnx.data"
            assert int(info["offset"]) % 64 == 0, f"{t.name} at offset {info['offset']}"
            external[t.name] = (int(info["offset"]), int(info["length"]))
        else:
            assert len(t.raw_data) < 1024, f"{t.name} ({len(t.raw_data)} bytes) should be external"
    assert sorted(external) == ["W1", "W2", "b1"]
    raw = data.read_bytes()
    original = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(src)).graph.initializer}
    for name, (off, length) in external.items():
        assert raw[off:off + length] == original[name].tobytes(), name


def test_digits_optimized_matches_onnxruntime(tmp_path, digits_samples):
    images, _ = digits_samples
    dst = tmp_path / "digits_opt.onnx"
    res = ember.optimize(DIGITS, dst)  # level 3
    assert res.nodes_after <= res.nodes_before
    m = onnx.load(str(dst), load_external_data=False)
    assert {p.key: p.value for p in m.metadata_props}["ember.optimized"] == "3"
    if res.fused_ops:
        assert any(op.domain == "ai.ember" for op in m.opset_import)
    x = images[:5].astype(np.float32)
    want = ort_run(DIGITS, {"input": x})[0]
    assert_close(ember.Session(dst, threads=1).run(None, {"input": x})[0], want, "logits")
    # Optimizing the saved model again keeps it as it is (the optimizer skips marked models).
    again = ember.optimize(dst, tmp_path / "again.onnx")
    assert again.was_optimized and again.nodes_after == res.nodes_after


def test_optimize_in_place(tmp_path, mlp):
    src, feeds = mlp
    want = ort_run(src, feeds)[0]
    ember.optimize(src, src, level=2)
    assert_close(ember.Session(src, threads=1).run(None, feeds)[0], want, "in place")
    assert not [p for p in os.listdir(tmp_path) if ".tmp-" in p]


def test_onnx_written_external_data_loads(tmp_path, rng):
    model = mlp_model(rng)
    path = tmp_path / "ext.onnx"
    onnx.save(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
              location="weights.bin", size_threshold=0)
    feeds = {"x": rng.standard_normal((3, 64)).astype(np.float32), "flag": np.array(False)}
    assert_close(ember.Session(path, threads=1).run(None, feeds)[0], ort_run(path, feeds)[0], "onnx.save external")
    # ...and re-saving it through ember puts the weights in ember's aligned layout.
    res = ember.optimize(path, tmp_path / "re.onnx", level=0)
    assert res.external_tensors == 3
    assert_close(ort_run(tmp_path / "re.onnx", feeds)[0], ort_run(path, feeds)[0], "re-saved")


@pytest.mark.parametrize("location, offset, length, why", [
    ("../outside.bin", None, None, "escapes"),
    ("/etc/hostname", None, None, "absolute"),
    ("sub/../../outside.bin", None, None, "escapes"),
    ("weights.bin", "1000000", None, "past the end"),
    ("weights.bin", None, "12", "length"),
    ("missing.bin", None, None, "missing.bin"),
])
def test_hostile_external_data_is_refused(tmp_path, rng, location, offset, length, why):
    w = rng.standard_normal((4, 4)).astype(np.float32)
    (tmp_path / "weights.bin").write_bytes(w.tobytes())
    (tmp_path.parent / "outside.bin").write_bytes(w.tobytes())
    t = TensorProto(name="W", data_type=TensorProto.FLOAT, dims=[4, 4], data_location=TensorProto.EXTERNAL)
    for key, value in (("location", location), ("offset", offset), ("length", length)):
        if value is not None:
            t.external_data.add(key=key, value=value)
    graph = helper.make_graph([helper.make_node("MatMul", ["x", "W"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])], [t])
    path = tmp_path / "hostile.onnx"
    path.write_bytes(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString())
    with pytest.raises(ember.EmberError) as e:
        ember.Session(path)
    assert "initializer 'W'" in str(e.value) and why in str(e.value), str(e.value)
    with pytest.raises(ember.EmberError):
        ember.optimize(path, tmp_path / "never.onnx")
    assert not (tmp_path / "never.onnx").exists()


def test_failed_save_leaves_nothing(tmp_path, mlp):
    src, _ = mlp
    with pytest.raises(ember.IoError) as e:
        ember.optimize(src, tmp_path / "no_such_dir" / "x.onnx")
    assert "no_such_dir" in str(e.value)
    # A destination that is a directory: the rename fails after both temporaries were written.
    (tmp_path / "taken.onnx").mkdir()
    (tmp_path / "taken.onnx" / "keep").write_text("x")
    with pytest.raises(ember.IoError):
        ember.optimize(src, tmp_path / "taken.onnx")
    assert sorted(os.listdir(tmp_path)) == ["mlp.onnx", "taken.onnx"]


def test_cli_optimize(tmp_path, mlp):
    src, feeds = mlp
    dst = tmp_path / "cli.onnx"
    p = ember_cli("optimize", src, dst, "--level", "1")
    assert p.returncode == 0, p.stderr
    for word in ("nodes:", "fused ops:", "cli.onnx.data", "time:"):
        assert word in p.stdout, p.stdout
    assert_close(ember.Session(dst, threads=1).run(None, feeds)[0], ort_run(src, feeds)[0], "cli")
    assert ember_cli("optimize", src).returncode == 2
    assert ember_cli("optimize", src, dst, "--level", "7").returncode == 2
    p = ember_cli("optimize", src, tmp_path / "nope" / "x.onnx")
    assert p.returncode != 0 and "nope" in p.stderr
    assert not (tmp_path / "nope").exists()
