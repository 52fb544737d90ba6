# Writes the model embedded in onnx_real_model_test.cc with the onnx package and prints it as a
# C++ byte array. Usage: .venv/bin/python tests/unit/onnx/gen_real_model.py
import numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

then_g = h.make_graph([h.make_node("Add", ["x", "w"], ["t_out"], name="then_add")], "then_body", [],
                      [h.make_tensor_value_info("t_out", T.FLOAT, ["N", 3])])
else_g = h.make_graph([h.make_node("Sub", ["x", "b"], ["e_out"], name="else_sub")], "else_body", [],
                      [h.make_tensor_value_info("e_out", T.FLOAT, ["N", 3])])
nodes = [
    h.make_node("ReduceSum", ["x", "axes"], ["s"], name="sum", keepdims=0),
    h.make_node("Constant", [], ["zero"], name="const", value=h.make_tensor("zv", T.FLOAT, [], [0.0])),
    h.make_node("ReduceSum", ["s"], ["s0"], name="sum0", keepdims=0),
    h.make_node("Greater", ["s0", "zero"], ["cond"], name="gt"),
    h.make_node("If", ["cond"], ["y"], name="branch", then_branch=then_g, else_branch=else_g),
    h.make_node("Gemm", ["y", "m", ""], ["z"], name="", alpha=0.5, transB=1),
]
w = nh.from_array(np.array([1.5, -2.0, 0.25], dtype=np.float32), "w")          # raw_data
b = h.make_tensor("b", T.FLOAT, [3], [0.5, 0.5, -1.0])                          # float_data
axes = h.make_tensor("axes", T.INT64, [1], [1])                                # int64_data
m = nh.from_array(np.arange(6, dtype=np.float32).reshape(2, 3), "m")
g = h.make_graph(nodes, "real", [h.make_tensor_value_info("x", T.FLOAT, ["N", 3])],
                 [h.make_tensor_value_info("z", T.FLOAT, ["N", 2])], [w, b, axes, m],
                 value_info=[h.make_tensor_value_info("s", T.FLOAT, ["N"])])
model = h.make_model(g, opset_imports=[h.make_opsetid("", 17)], producer_name="onnx-helper")
onnx.checker.check_model(model, full_check=True)
data = model.SerializeToString()
print(f"// {len(data)} bytes, written by onnx {onnx.__version__} (tests/unit/onnx/gen_real_model.py)")
for i in range(0, len(data), 16):
    print("    " + "".join(f"0x{c:02x}," for c in data[i:i+16]))
