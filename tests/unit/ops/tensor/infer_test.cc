// Static inference of the tensor ops: constant inputs must give static shapes (memory
// planning depends on it) and symbolic dims must survive where ONNX semantics allow.
#include "ops/op_registry.h"
#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

namespace {

ir::Dim sym(const char* s) { return ir::Dim{-1, s}; }
ir::Dim dim(int64_t v) { return ir::Dim::of(v); }

ir::TypeInfo ty(DType dt, std::vector<ir::Dim> dims) {
  ir::TypeInfo t = ir::TypeInfo::tensor_unknown_shape(dt);
  t.has_shape = true;
  t.dims = std::move(dims);
  return t;
}

// Runs the registered inference of one node; `values[i]` non-null marks constant input i.
std::vector<ir::TypeInfo> infer(const std::string& op, const std::vector<ir::TypeInfo>& types,
                                const std::vector<const Tensor*>& values, std::vector<ir::Attribute> attrs = {},
                                int opset = 17, size_t outputs = 1) {
  ir::Node n;
  n.name = "n";
  n.op_type = op;
  n.opset = opset;
  for (auto& a : attrs) n.attrs[a.name] = a;
  n.outputs.assign(outputs, nullptr);
  std::vector<const ir::TypeInfo*> tp;
  for (const auto& t : types) tp.push_back(t.dtype == DType::Undefined ? nullptr : &t);  // absent input
  ops::InferContext ctx(n, tp, values);
  const ops::OpSchema* s = ops::OpRegistry::global().find(op, "", opset);
  REQUIRE(s != nullptr);
  s->infer(ctx);
  return ctx.outputs();
}

}  // namespace

TEST_CASE("tensor.infer: Reshape keeps batch symbols and resolves -1 by cancellation") {
  const ir::TypeInfo in = ty(DType::Float32, {sym("N"), sym("S"), dim(768)});
  const Tensor shape = i64v({0, 0, 12, -1});
  const auto out = infer("Reshape", {in, ty(DType::Int64, {dim(4)})}, {nullptr, &shape});
  CHECK(out[0].str() == "float32[N, S, 12, 64]");
  const Tensor back = i64v({0, -1, 768});  // [N, S, 12, 64] -> [N, -1, 768]: -1 = S, unknown
  const auto o2 = infer("Reshape", {out[0], ty(DType::Int64, {dim(3)})}, {nullptr, &back});
  CHECK(o2[0].dims.size() == 3);
  CHECK(o2[0].dims[0].symbol == "N");
  CHECK(o2[0].dims[2].value == 768);
  const auto o3 = infer("Reshape", {in, ty(DType::Int64, {dim(2)})}, {nullptr, nullptr});
  CHECK(o3[0].str() == "float32[?, ?]");
}

TEST_CASE("tensor.infer: constant inputs give static shapes") {
  const ir::TypeInfo x = ty(DType::Float32, {dim(2), dim(3), dim(8)});
  const Tensor starts = i64v({1}), ends = i64v({-1}), axes = i64v({2}), steps = i64v({2});
  CHECK(infer("Slice", {x, ty(DType::Int64, {dim(1)}), ty(DType::Int64, {dim(1)}), ty(DType::Int64, {dim(1)}),
                        ty(DType::Int64, {dim(1)})},
              {nullptr, &starts, &ends, &axes, &steps})[0]
            .str() == "float32[2, 3, 3]");
  const Tensor reps = i64v({2, 1, 3});
  CHECK(infer("Tile", {x, ty(DType::Int64, {dim(3)})}, {nullptr, &reps})[0].str() == "float32[4, 3, 24]");
  const Tensor eshape = i64v({5, 1, 1, 1});
  CHECK(infer("Expand", {x, ty(DType::Int64, {dim(4)})}, {nullptr, &eshape})[0].str() == "float32[5, 2, 3, 8]");
  const Tensor cshape = i64v({4, 2});
  CHECK(infer("ConstantOfShape", {ty(DType::Int64, {dim(2)})}, {&cshape})[0].str() == "float32[4, 2]");
  const Tensor pads = i64v({0, 1, 2, 0, 0, 3});
  CHECK(infer("Pad", {x, ty(DType::Int64, {dim(6)})}, {nullptr, &pads})[0].str() == "float32[2, 4, 13]");
  const Tensor k = i64v({2});
  const auto topk = infer("TopK", {x, ty(DType::Int64, {dim(1)})}, {nullptr, &k}, {}, 17, 2);
  CHECK(topk[0].str() == "float32[2, 3, 2]");
  CHECK(topk[1].str() == "int64[2, 3, 2]");
  const Tensor s = Tensor::scalar<int64_t>(0), l = Tensor::scalar<int64_t>(10), d = Tensor::scalar<int64_t>(3);
  const ir::TypeInfo sc = ty(DType::Int64, {});
  CHECK(infer("Range", {sc, sc, sc}, {&s, &l, &d})[0].str() == "int64[4]");
  CHECK(infer("Shape", {x}, {nullptr})[0].str() == "int64[3]");
  const Tensor sizes = i64v({2, 3, 5});
  CHECK(infer("Resize", {x, ir::TypeInfo(), ir::TypeInfo(), ty(DType::Int64, {dim(3)})}, {nullptr, nullptr, nullptr, &sizes},
              {attr_string("mode", "linear")})[0]
            .str() == "float32[2, 3, 5]");
}

TEST_CASE("tensor.infer: Resize with a dynamic batch keeps the batch symbol") {
  const ir::TypeInfo x = ty(DType::Float32, {sym("N"), dim(3), dim(7), dim(5)});
  const Tensor scales = f32({4}, {1, 1, 2, 0.5});
  CHECK(infer("Resize", {x, ir::TypeInfo(), ty(DType::Float32, {dim(4)})}, {nullptr, nullptr, &scales},
              {attr_string("mode", "nearest")})[0]
            .str() == "float32[N, 3, 14, 2]");
  const Tensor sizes = i64v({9, 4});
  CHECK(infer("Resize", {x, ir::TypeInfo(), ir::TypeInfo(), ty(DType::Int64, {dim(2)})}, {nullptr, nullptr, nullptr, &sizes},
              {attr_string("mode", "linear"), attr_ints("axes", {2, 3})}, 18)[0]
            .str() == "float32[N, 3, 9, 4]");
}

TEST_CASE("tensor.infer: symbolic dims pass through Transpose, Concat, Gather, Unsqueeze") {
  const ir::TypeInfo x = ty(DType::Float16, {sym("B"), dim(4), sym("T")});
  CHECK(infer("Transpose", {x}, {nullptr}, {attr_ints("perm", {2, 0, 1})})[0].str() == "float16[T, B, 4]");
  const ir::TypeInfo y = ty(DType::Float16, {sym("B"), dim(6), sym("T")});
  CHECK(infer("Concat", {x, y}, {nullptr, nullptr}, {attr_int("axis", 1)})[0].str() == "float16[B, 10, T]");
  const ir::TypeInfo idx = ty(DType::Int64, {dim(5), dim(2)});
  CHECK(infer("Gather", {x, idx}, {nullptr, nullptr}, {attr_int("axis", 1)})[0].str() == "float16[B, 5, 2, T]");
  const Tensor axes = i64v({0, -1});
  CHECK(infer("Unsqueeze", {x, ty(DType::Int64, {dim(2)})}, {nullptr, &axes}, {}, 13)[0].str() == "float16[1, B, 4, T, 1]");
  CHECK(infer("Flatten", {x}, {nullptr}, {attr_int("axis", 2)})[0].str() == "float16[?, T]");
}

TEST_CASE("tensor.infer: bad constant reshape fails at inference naming both shapes") {
  const ir::TypeInfo x = ty(DType::Float32, {dim(2), dim(3)});
  const Tensor shape = i64v({4, 2});
  check_error([&] { infer("Reshape", {x, ty(DType::Int64, {dim(2)})}, {nullptr, &shape}); }, Status::ShapeMismatch,
              "cannot reshape input of shape [2, 3] to shape [4, 2]");
}

// PyTorch exports with dynamic axes build reshape targets from Shape: Shape -> Gather / Slice
// -> (Unsqueeze, Cast) -> Concat with constants -> Reshape. The dims those integer tensors hold
// travel as TypeInfo::dims_value, symbols included, so the Reshape's output dims are known by name.
TEST_CASE("tensor.infer: dims held by Shape-derived tensors reach Reshape") {
  const ir::TypeInfo x = ty(DType::Float32, {sym("batch"), sym("seq"), dim(768)});
  const auto shape = infer("Shape", {x}, {nullptr})[0];
  REQUIRE(shape.dims_value);
  CHECK(shape.dims_value->size() == 3);
  CHECK((*shape.dims_value)[0].symbol == "batch");

  const Tensor zero = i64v({0}), one = i64v({1});
  const auto b = infer("Gather", {shape, ty(DType::Int64, {dim(1)})}, {nullptr, &zero}, {attr_int("axis", 0)})[0];
  const auto s = infer("Gather", {shape, ty(DType::Int64, {dim(1)})}, {nullptr, &one}, {attr_int("axis", 0)})[0];
  REQUIRE(b.dims_value);
  CHECK((*b.dims_value)[0].symbol == "batch");
  const auto s32 = infer("Cast", {s}, {nullptr}, {attr_int("to", int64_t(DType::Int32))})[0];
  REQUIRE(s32.dims_value);
  const auto s64 = infer("Cast", {s32}, {nullptr}, {attr_int("to", int64_t(DType::Int64))})[0];
  const Tensor heads = i64v({12, 64});
  const auto target = infer("Concat", {b, s64, ty(DType::Int64, {dim(2)})}, {nullptr, nullptr, &heads},
                            {attr_int("axis", 0)})[0];
  REQUIRE(target.dims_value);
  CHECK(target.dims_value->size() == 4);
  const auto y = infer("Reshape", {x, target}, {nullptr, nullptr})[0];
  CHECK(y.str() == "float32[batch, seq, 12, 64]");

  // Shape(x)[:-1] + [768]: Slice keeps the leading dims.
  const Tensor st = i64v({0}), en = i64v({-1});
  const auto lead = infer("Slice", {shape, ty(DType::Int64, {dim(1)}), ty(DType::Int64, {dim(1)})}, {nullptr, &st, &en})[0];
  REQUIRE(lead.dims_value);
  CHECK(lead.dims_value->size() == 2);
  const Tensor width = i64v({768});
  const auto merge = infer("Concat", {lead, ty(DType::Int64, {dim(1)})}, {nullptr, &width}, {attr_int("axis", 0)})[0];
  CHECK(infer("Reshape", {y, merge}, {nullptr, nullptr})[0].str() == "float32[batch, seq, 768]");

  // A scalar picked out and unsqueezed back to 1-D keeps its dim.
  const Tensor scalar_index = i64({}, {0});
  const auto b0 = infer("Gather", {shape, ty(DType::Int64, {})}, {nullptr, &scalar_index}, {attr_int("axis", 0)})[0];
  REQUIRE(b0.dims_value);
  const Tensor axes0 = i64v({0});
  const auto b1 = infer("Unsqueeze", {b0, ty(DType::Int64, {dim(1)})}, {nullptr, &axes0})[0];
  REQUIRE(b1.dims_value);
  CHECK((*b1.dims_value)[0].symbol == "batch");

  // Arithmetic changes the values: an Add on a shape carries no dims_value, even though its
  // type is copied from the input's.
  const Tensor plus = i64v({1, 1, 1});
  const auto added = infer("Add", {shape, ty(DType::Int64, {dim(3)})}, {nullptr, &plus})[0];
  CHECK_FALSE(added.dims_value);
}

TEST_CASE("tensor.infer: a -1 among Shape-derived target entries is resolved by cancellation") {
  // PyTorch's view(batch, seq, -1, 64) with dynamic axes: Concat(Shape pieces, [-1], [64]).
  const ir::TypeInfo x = ty(DType::Float32, {sym("batch"), sym("seq"), dim(768)});
  const auto shape = infer("Shape", {x}, {nullptr})[0];
  const Tensor lead_end = i64v({2}), zero = i64v({0}), tail = i64v({-1, 64});
  const auto lead = infer("Slice", {shape, ty(DType::Int64, {dim(1)}), ty(DType::Int64, {dim(1)})}, {nullptr, &zero, &lead_end})[0];
  const auto target = infer("Concat", {lead, ty(DType::Int64, {dim(2)})}, {nullptr, &tail}, {attr_int("axis", 0)})[0];
  REQUIRE(target.dims_value);
  CHECK(infer("Reshape", {x, target}, {nullptr, nullptr})[0].str() == "float32[batch, seq, 12, 64]");
  // The open entry cannot be fixed when another entry does not cancel: it stays unknown.
  const ir::TypeInfo other = ty(DType::Float32, {sym("batch"), sym("other"), dim(768)});
  CHECK(infer("Reshape", {other, target}, {nullptr, nullptr})[0].str() == "float32[batch, seq, ?, 64]");
  // Nor when no value fits the element count (that fails at run time instead).
  const ir::TypeInfo odd = ty(DType::Float32, {sym("batch"), sym("seq"), dim(100)});
  CHECK(infer("Reshape", {odd, target}, {nullptr, nullptr})[0].str() == "float32[batch, seq, ?, 64]");
}

TEST_CASE("tensor.infer: Slice(table, 0, n) with n a named size takes n's name (position ids)") {
  // BERT exported with dynamic axes: position_ids[:, :seq] with seq = Shape(input_ids)[1].
  const ir::TypeInfo ids = ty(DType::Int64, {sym("batch"), sym("seq")});
  const auto shape = infer("Shape", {ids}, {nullptr})[0];
  const Tensor one = i64({}, {1}), axes0 = i64v({0});
  const auto seq = infer("Gather", {shape, ty(DType::Int64, {})}, {nullptr, &one}, {attr_int("axis", 0)})[0];
  const auto ends = infer("Unsqueeze", {seq, ty(DType::Int64, {dim(1)})}, {nullptr, &axes0})[0];
  const Tensor table = i64({1, 512}, std::vector<int64_t>(512, 0));
  const Tensor starts = i64v({0}), axes = i64v({1}), steps = i64v({1}), from_two = i64v({2});
  const ir::TypeInfo t1 = ty(DType::Int64, {dim(1)});
  CHECK(infer("Slice", {ty(DType::Int64, {dim(1), dim(512)}), t1, ends, t1, t1}, {&table, &starts, nullptr, &axes, &steps})[0].str() ==
        "int64[1, seq]");
  // Not from a start other than 0, nor along an axis of length 1 or unknown length.
  CHECK(infer("Slice", {ty(DType::Int64, {dim(1), dim(512)}), t1, ends, t1, t1}, {&table, &from_two, nullptr, &axes, &steps})[0].str() ==
        "int64[1, ?]");
  const Tensor axis0 = i64v({0});
  CHECK(infer("Slice", {ty(DType::Int64, {dim(1), dim(512)}), t1, ends, t1, t1}, {&table, &starts, nullptr, &axis0, &steps})[0].str() ==
        "int64[?, 512]");
  CHECK(infer("Slice", {ty(DType::Int64, {dim(1), sym("T")}), t1, ends, t1, t1}, {nullptr, &starts, nullptr, &axes, &steps})[0].str() ==
        "int64[1, ?]");
}

TEST_CASE("tensor.infer: Expand to Where(Equal(target, -1), 1, target) keeps the target's dims") {
  // PyTorch's expand(batch, 1, seq, seq) with dynamic axes: -1 entries replaced by 1, then Expand.
  const ir::TypeInfo x = ty(DType::Float32, {sym("batch"), sym("seq"), dim(768)});
  const auto shape = infer("Shape", {x}, {nullptr})[0];
  const Tensor i0 = i64v({0}), i1 = i64v({1}), one = i64v({1});
  const auto b = infer("Gather", {shape, ty(DType::Int64, {dim(1)})}, {nullptr, &i0}, {attr_int("axis", 0)})[0];
  const auto s = infer("Gather", {shape, ty(DType::Int64, {dim(1)})}, {nullptr, &i1}, {attr_int("axis", 0)})[0];
  const ir::TypeInfo t1 = ty(DType::Int64, {dim(1)});
  const auto target = infer("Concat", {b, t1, s, s}, {nullptr, &one, nullptr, nullptr}, {attr_int("axis", 0)})[0];
  REQUIRE(target.dims_value);
  const Tensor minus = i64v({-1, -1, -1, -1}), ones = i64v({1, 1, 1, 1});
  const ir::TypeInfo t4 = ty(DType::Int64, {dim(4)});
  const auto eq = infer("Equal", {target, t4}, {nullptr, &minus})[0];
  REQUIRE(eq.dims_value);
  CHECK(eq.dims_value->size() == 4);
  CHECK((*eq.dims_value)[0].value == 0);
  const auto picked = infer("Where", {eq, t4, target}, {nullptr, &ones, nullptr})[0];
  REQUIRE(picked.dims_value);
  const ir::TypeInfo mask = ty(DType::Bool, {sym("batch"), dim(1), sym("seq"), sym("seq")});
  CHECK(infer("Expand", {mask, picked}, {nullptr, nullptr})[0].str() == "bool[batch, 1, seq, seq]");
  // Equal of a symbol against a non-negative constant is not decided: no values, Expand unknown.
  const Tensor zeros = i64v({0, 0, 0, 0});
  const auto undecided = infer("Equal", {target, t4}, {nullptr, &zeros})[0];
  CHECK_FALSE(undecided.dims_value);
  const auto unknown = infer("Where", {undecided, t4, target}, {nullptr, &ones, nullptr})[0];
  CHECK_FALSE(unknown.dims_value);
  CHECK(infer("Expand", {mask, unknown}, {nullptr, nullptr})[0].str() == "bool[?, ?, ?, ?]");
  // The same symbol on both sides is equal; a known 1 vs 1 too.
  const auto self = infer("Equal", {target, target}, {nullptr, nullptr})[0];
  REQUIRE(self.dims_value);
  for (const ir::Dim& d : *self.dims_value) CHECK(d.value == 1);
}

TEST_CASE("tensor.infer: Range(0, n, 1) with n a named size has n elements") {
  const ir::TypeInfo x = ty(DType::Float32, {sym("batch"), sym("seq")});
  const auto shape = infer("Shape", {x}, {nullptr})[0];
  const Tensor idx = i64({}, {1}), zero = i64({}, {0}), step = i64({}, {1}), two = i64({}, {2});
  const auto n = infer("Gather", {shape, ty(DType::Int64, {})}, {nullptr, &idx}, {attr_int("axis", 0)})[0];
  const ir::TypeInfo scalar = ty(DType::Int64, {});
  CHECK(infer("Range", {scalar, n, scalar}, {&zero, nullptr, &step})[0].str() == "int64[seq]");
  CHECK(infer("Range", {scalar, n, scalar}, {&zero, nullptr, &two})[0].str() == "int64[?]");
  CHECK(infer("Range", {scalar, n, scalar}, {&step, nullptr, &step})[0].str() == "int64[?]");
}
