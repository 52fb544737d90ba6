// NonZero, Compress, TopK, Trilu, OneHot.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "tensor_test_util.h"

using namespace ember;
using namespace ember::test;
using namespace ember::test::tensor_ops;

TEST_CASE("tensor.nonzero: coordinates in row-major order") {
  const Tensor x = random_tensor(DType::Int32, {3, 7, 2}, 0, 2);
  std::vector<int64_t> rows[3];
  for (int64_t i = 0; i < x.numel(); ++i)
    if (x.data<int32_t>()[i] != 0) {
      const Dims d = unravel(i, x.shape());
      for (size_t k = 0; k < 3; ++k) rows[k].push_back(d[k]);
    }
  const int64_t n = int64_t(rows[0].size());
  std::vector<int64_t> flat;
  for (auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  check_equal(run_op(op("NonZero", {x}))[0], i64({3, n}, flat));
  const Tensor b = make_tensor(DType::Bool, {4}, {0, 1, 0, 1});
  check_equal(run_op(op("NonZero", {b}))[0], i64({1, 2}, {1, 3}));
}

TEST_CASE("tensor.compress: with axis, without axis, short condition") {
  const Tensor x = random_tensor(DType::Float32, {3, 4});
  const Tensor c = make_tensor(DType::Bool, {3}, {1, 0, 1});
  check_equal(run_op(op("Compress", {x, c}, {attr_int("axis", 0)}))[0],
              remap(x, {2, 4}, [](const Dims& o) { return Dims{o[0] * 2, o[1]}; }));
  const Tensor c2 = make_tensor(DType::Bool, {2}, {0, 1});  // shorter than the axis: rest dropped
  check_equal(run_op(op("Compress", {x, c2}, {attr_int("axis", -1)}))[0],
              remap(x, {3, 1}, [](const Dims& o) { return Dims{o[0], 1}; }));
  check_equal(run_op(op("Compress", {x, c}))[0], remap(x, {2}, [](const Dims& o) { return Dims{0, o[0] * 2}; }));
  const Tensor c3 = make_tensor(DType::Bool, {5}, {0, 0, 0, 0, 1});
  check_error([&] { run_op(op("Compress", {x, c3}, {attr_int("axis", 1)})); }, Status::InvalidArgument, "index 4");
}

TEST_CASE("tensor.topk: largest/smallest on every axis, ties by lower index") {
  const Tensor x = random_tensor(DType::Int32, {5, 17, 3}, 0, 6);  // many ties
  for (int64_t axis : {0, 1, -1}) {
    const size_t a = size_t(axis < 0 ? axis + 3 : axis);
    const int64_t n = x.dim(a), k = std::min<int64_t>(n, 4);
    for (int64_t largest : {1, 0}) {
      Dims shape = x.shape();
      shape[a] = k;
      Tensor wv(DType::Int32, shape), wi(DType::Int64, shape);
      for (int64_t i = 0; i < wv.numel(); ++i) {
        Dims o = unravel(i, shape);
        std::vector<std::pair<int32_t, int64_t>> line;
        for (int64_t j = 0; j < n; ++j) {
          Dims s = o;
          s[a] = j;
          line.push_back({x.data<int32_t>()[ravel(s, x.shape())], j});
        }
        std::stable_sort(line.begin(), line.end(), [&](auto& p, auto& q) {
          return largest ? p.first > q.first : p.first < q.first;
        });
        wv.data<int32_t>()[i] = line[size_t(o[a])].first;
        wi.data<int64_t>()[i] = line[size_t(o[a])].second;
      }
      for (bool constant : {false, true}) {
        OpRun r = op("TopK", {x, i64v({k})}, {attr_int("axis", axis), attr_int("largest", largest)}, 2);
        if (constant) r.constant_inputs = {1};
        auto y = run_op(r);
        check_equal(y[0], wv);
        check_equal(y[1], wi);
      }
    }
  }
  OpRun old = op("TopK", {make_tensor(DType::Float32, {4}, {3, 1, 4, 1})}, {attr_int("k", 2)}, 2);
  old.opset = 9;
  auto y = run_op(old);
  check_equal(y[0], f32({2}, {4, 3}));
  check_equal(y[1], i64v({2, 0}));
  // NaN counts as the largest value (numpy / onnxruntime order).
  const float nan = std::nanf("");
  auto yn = run_op(op("TopK", {make_tensor(DType::Float32, {5}, {1, nan, 3, nan, 2}), i64v({3})}, {}, 2));
  CHECK(std::isnan(yn[0].data<float>()[0]));
  CHECK(std::isnan(yn[0].data<float>()[1]));
  CHECK(yn[0].data<float>()[2] == 3.f);
  check_equal(yn[1], i64v({1, 3, 2}));
  check_error([&] { run_op(op("TopK", {x, i64v({4})}, {attr_int("axis", 2)}, 2)); }, Status::InvalidArgument, "k = 4");
}

TEST_CASE("tensor.trilu: upper/lower with k, batched, strings") {
  for (DType dt : {DType::Float32, DType::String}) {
    const Tensor x = random_tensor(dt, {2, 3, 5}, 1, 9);
    for (int64_t upper : {0, 1})
      for (int64_t k : {-2, 0, 1, 7}) {
        Tensor want = x.clone();
        for (int64_t i = 0; i < want.numel(); ++i) {
          const Dims o = unravel(i, want.shape());
          const bool keep = upper ? o[2] - o[1] >= k : o[2] - o[1] <= k;
          if (keep) continue;
          if (dt == DType::String) want.data<std::string>()[i] = "";
          else want.data<float>()[i] = 0;
        }
        check_equal(run_op(op("Trilu", {x, i64({}, {k})}, {attr_int("upper", upper)}))[0], want);
      }
  }
}

TEST_CASE("tensor.onehot: axis placement, negative indices, out of range") {
  const Tensor ind = i64({2, 2}, {0, 3, -1, 7});
  const Tensor vals = f32({2}, {-1, 5});
  const Tensor depth = i64({}, {4});
  for (int64_t axis : {-1, 0, 1}) {
    const size_t a = size_t(axis < 0 ? 2 : axis);
    Dims shape = {2, 2};
    shape.insert(shape.begin() + int64_t(a), 4);
    Tensor want(DType::Float32, shape);
    for (int64_t i = 0; i < want.numel(); ++i) {
      Dims o = unravel(i, shape);
      const int64_t d = o[a];
      o.erase(o.begin() + int64_t(a));
      int64_t v = ind.data<int64_t>()[o[0] * 2 + o[1]];
      if (v < 0) v += 4;
      want.data<float>()[i] = v == d ? 5 : -1;
    }
    for (bool constant : {false, true}) {
      OpRun r = op("OneHot", {ind, depth, vals}, {attr_int("axis", axis)});
      if (constant) r.constant_inputs = {1};
      check_equal(run_op(r)[0], want);
    }
  }
}
