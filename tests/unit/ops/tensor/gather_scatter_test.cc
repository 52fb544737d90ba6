// Gather, GatherElements, GatherND, ScatterND, ScatterElements against naive references
// built from the ONNX definitions; bad indices must be InvalidArgument, not a crash.
#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.gather: every axis, negative indices, strings") {
  for (DType dt : {DType::Float32, DType::String, DType::Int16}) {
    const Tensor x = random_tensor(dt, {5, 7, 3}, -9, 9);
    for (int64_t axis : {0, 1, -1}) {
      const int64_t a = axis < 0 ? axis + 3 : axis;
      const int64_t n = x.dim(size_t(a));
      const Tensor ind = i64({2, 2}, {0, n - 1, -1, 1});
      Dims shape(x.shape().begin(), x.shape().begin() + a);
      shape.insert(shape.end(), {2, 2});
      shape.insert(shape.end(), x.shape().begin() + a + 1, x.shape().end());
      const Tensor want = remap(x, shape, [&](const Dims& o) {
        Dims s(o.begin(), o.begin() + a);
        int64_t v = ind.data<int64_t>()[o[size_t(a)] * 2 + o[size_t(a) + 1]];
        s.push_back(v < 0 ? v + n : v);
        s.insert(s.end(), o.begin() + a + 2, o.end());
        return s;
      });
      check_equal(run_op(op("Gather", {x, ind}, {attr_int("axis", axis)}))[0], want);
    }
  }
}

TEST_CASE("tensor.gather: int32 scalar index and out-of-range error") {
  const Tensor x = random_tensor(DType::Float32, {4, 3});
  Tensor idx(DType::Int32, {});
  *idx.data<int32_t>() = 2;
  check_equal(run_op(op("Gather", {x, idx}))[0], remap(x, {3}, [](const Dims& o) { return Dims{2, o[0]}; }));
  check_error([&] { run_op(op("Gather", {x, i64v({4})})); }, Status::InvalidArgument, "index 4 is out of range");
  check_error([&] { run_op(op("Gather", {x, i64v({-5})})); }, Status::InvalidArgument, "Gather");
}

TEST_CASE("tensor.gather_elements: axis 0 and 1 with smaller indices") {
  const Tensor x = random_tensor(DType::Float32, {4, 5});
  const Tensor ind = i64({2, 3}, {3, 0, -1, 1, 2, 0});
  const Tensor want0 = remap(x, {2, 3}, [&](const Dims& o) {
    int64_t v = ind.data<int64_t>()[o[0] * 3 + o[1]];
    return Dims{v < 0 ? v + 4 : v, o[1]};
  });
  check_equal(run_op(op("GatherElements", {x, ind}, {attr_int("axis", 0)}))[0], want0);
  const Tensor want1 = remap(x, {2, 3}, [&](const Dims& o) {
    int64_t v = ind.data<int64_t>()[o[0] * 3 + o[1]];
    return Dims{o[0], v < 0 ? v + 5 : v};
  });
  check_equal(run_op(op("GatherElements", {x, ind}, {attr_int("axis", -1)}))[0], want1);
  check_error([&] { run_op(op("GatherElements", {x, i64({1, 1}, {9})})); }, Status::InvalidArgument, "out of range");
}

TEST_CASE("tensor.gather_nd: full and partial tuples, batch_dims") {
  const Tensor x = random_tensor(DType::Float32, {2, 3, 4});
  const Tensor ind = i64({2, 2}, {1, 2, 0, -1});
  const Tensor want = remap(x, {2, 4}, [&](const Dims& o) {
    int64_t b = ind.data<int64_t>()[o[0] * 2 + 1];
    return Dims{ind.data<int64_t>()[o[0] * 2], b < 0 ? b + 3 : b, o[1]};
  });
  check_equal(run_op(op("GatherND", {x, ind}))[0], want);
  // batch_dims = 1: indices [2, 1] pick a row of each batch.
  const Tensor bi = i64({2, 1}, {2, 0});
  const Tensor wantb = remap(x, {2, 4}, [&](const Dims& o) { return Dims{o[0], bi.data<int64_t>()[o[0]], o[1]}; });
  check_equal(run_op(op("GatherND", {x, bi}, {attr_int("batch_dims", 1)}))[0], wantb);
  check_error([&] { run_op(op("GatherND", {x, i64({1, 3}, {0, 3, 0})})); }, Status::InvalidArgument, "out of range");
}

TEST_CASE("tensor.scatter_nd: none / add / mul / max / min") {
  const Tensor x = f32({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor ind = i64({3, 1}, {3, 0, 3});
  const Tensor upd = f32({3, 2}, {10, -1, 20, 30, 2, 5});
  const std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"add", {21, 32, 3, 4, 5, 6, 19, 12}},
      {"mul", {20, 60, 3, 4, 5, 6, 140, -40}},
      {"max", {20, 30, 3, 4, 5, 6, 10, 8}},
      {"min", {1, 2, 3, 4, 5, 6, 2, -1}}};
  for (const auto& [red, want] : cases) {
    OpRun r = op("ScatterND", {x, ind, upd}, {attr_string("reduction", red)});
    r.opset = 18;
    check_equal(run_op(r)[0], f32({4, 2}, want));
  }
  const Tensor ind1 = i64({2, 1}, {-1, 1});
  check_equal(run_op(op("ScatterND", {x, ind1, f32({2, 2}, {0, 0, 9, 9})}))[0], f32({4, 2}, {1, 2, 9, 9, 5, 6, 0, 0}));
  check_error([&] { run_op(op("ScatterND", {x, i64({1, 1}, {4}), f32({1, 2}, {0, 0})})); }, Status::InvalidArgument,
              "out of range");
  check_error([&] { run_op(op("ScatterND", {x, ind, f32({3, 3}, std::vector<double>(9))})); }, Status::ShapeMismatch,
              "updates have shape");
}

TEST_CASE("tensor.scatter_elements: axis 1, reductions, Scatter alias at opset 9") {
  const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
  const Tensor ind = i64({2, 2}, {2, 0, -1, 2});
  const Tensor upd = f32({2, 2}, {10, 20, 30, 40});
  check_equal(run_op(op("ScatterElements", {x, ind, upd}, {attr_int("axis", 1)}))[0], f32({2, 3}, {20, 2, 10, 4, 5, 40}));
  OpRun add = op("ScatterElements", {x, ind, upd}, {attr_int("axis", 1), attr_string("reduction", "add")});
  add.opset = 16;
  check_equal(run_op(add)[0], f32({2, 3}, {21, 2, 13, 4, 5, 76}));
  OpRun old = op("Scatter", {x, i64({1, 3}, {1, 0, 1}), f32({1, 3}, {7, 8, 9})});
  old.opset = 9;
  check_equal(run_op(old)[0], f32({2, 3}, {1, 8, 3, 7, 5, 9}));
  check_error([&] { run_op(op("ScatterElements", {x, i64({1, 1}, {2}), f32({1, 1}, {0})})); }, Status::InvalidArgument,
              "out of range");
  OpRun bad = op("ScatterElements", {x, ind, upd}, {attr_string("reduction", "avg")});
  check_error([&] { run_op(bad); }, Status::Unsupported, "reduction 'avg'");
}
