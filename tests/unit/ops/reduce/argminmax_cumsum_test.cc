// ArgMax / ArgMin and CumSum against naive loops over a [outer, n, inner] view of the input.
#include <doctest/doctest.h>

#include "test_util.h"

namespace ember::test {
namespace {

struct Split {
  int64_t outer = 1, n = 1, inner = 1;
};
Split split_at(const Dims& s, int64_t axis) {
  Split p;
  for (int64_t i = 0; i < int64_t(s.size()); ++i) {
    if (i < axis) p.outer *= s[size_t(i)];
    else if (i == axis) p.n = s[size_t(i)];
    else p.inner *= s[size_t(i)];
  }
  return p;
}

Tensor reference_arg(const Tensor& x, int64_t axis, bool is_max, bool last, bool keepdims) {
  const Split p = split_at(x.shape(), axis);
  const std::vector<double> v = to_doubles(x);
  std::vector<double> out;
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i) {
      int64_t best = 0;
      for (int64_t r = 1; r < p.n; ++r) {
        const double a = v[size_t((o * p.n + r) * p.inner + i)], b = v[size_t((o * p.n + best) * p.inner + i)];
        const bool take = is_max ? (last ? a >= b : a > b) : (last ? a <= b : a < b);
        if (take) best = r;
      }
      out.push_back(double(best));
    }
  Dims shape = x.shape();
  if (keepdims) shape[size_t(axis)] = 1;
  else shape.erase(shape.begin() + axis);
  return make_tensor(DType::Int64, shape, out);
}

Tensor reference_cumsum(const Tensor& x, int64_t axis, bool exclusive, bool reverse) {
  const Split p = split_at(x.shape(), axis);
  const std::vector<double> v = to_doubles(x);
  std::vector<double> out(v.size());
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i = 0; i < p.inner; ++i)
      for (int64_t r = 0; r < p.n; ++r) {
        double s = 0;
        for (int64_t q = 0; q < p.n; ++q) {
          const bool in_range = reverse ? (exclusive ? q > r : q >= r) : (exclusive ? q < r : q <= r);
          if (in_range) s += v[size_t((o * p.n + q) * p.inner + i)];
        }
        out[size_t((o * p.n + r) * p.inner + i)] = s;
      }
  return make_tensor(x.dtype(), x.shape(), out);
}

}  // namespace

TEST_CASE("reduce: ArgMax / ArgMin over every axis, with ties, keepdims and select_last_index") {
  const std::vector<Dims> shapes = {{1}, {17}, {7, 3}, {2, 5, 300}, {3, 1, 4, 6}};
  for (const Dims& shape : shapes) {
    // Small integers make ties common, so first/last index selection is really exercised.
    for (DType t : {DType::Float32, DType::Int32, DType::Float16}) {
      const Tensor x = random_tensor(t, shape, 0, 3);
      const Tensor xi = t == DType::Int32 ? x : make_tensor(t, shape, [&] {
        std::vector<double> v = to_doubles(x);
        for (double& e : v) e = std::floor(e * 2);
        return v;
      }());
      const int64_t rank = int64_t(shape.size());
      for (int64_t axis = -rank; axis < rank; ++axis)
        for (const char* op : {"ArgMax", "ArgMin"})
          for (int keepdims : {0, 1})
            for (int last : {0, 1}) {
              CAPTURE(dims_str(shape));
              CAPTURE(op);
              CAPTURE(axis);
              CAPTURE(keepdims);
              CAPTURE(last);
              OpRun r;
              r.op_type = op;
              r.opset = 13;
              r.inputs = {xi};
              r.attrs = {attr_int("axis", axis), attr_int("keepdims", keepdims), attr_int("select_last_index", last)};
              const int64_t a = axis < 0 ? axis + rank : axis;
              check_close(run_op(r)[0], reference_arg(xi, a, std::string(op) == "ArgMax", last, keepdims),
                          Tier::Exact);
            }
    }
  }
}

TEST_CASE("reduce: ArgMax defaults (axis 0, keepdims 1, opset 1) and errors") {
  const Tensor x = random_tensor(DType::Float64, {6, 5});
  OpRun r;
  r.op_type = "ArgMax";
  r.opset = 1;
  r.inputs = {x};
  check_close(run_op(r)[0], reference_arg(x, 0, true, false, true), Tier::Exact);
  r.inputs = {Tensor(DType::Float32, {0, 3})};
  CHECK_THROWS_AS(run_op(r), Error);  // extreme of an empty axis does not exist
  r.inputs = {x};
  r.attrs = {attr_int("axis", 2)};
  CHECK_THROWS_AS(run_op(r), Error);
}

TEST_CASE("reduce: CumSum exclusive / reverse on every axis") {
  const std::vector<Dims> shapes = {{1}, {63}, {4, 7}, {3, 17, 5}, {2, 1, 3, 300}};
  for (const Dims& shape : shapes) {
    const int64_t rank = int64_t(shape.size());
    for (DType t : {DType::Float32, DType::Float64, DType::Int32, DType::Int64}) {
      const Tensor x = random_tensor(t, shape, -5, 5);
      for (int64_t axis = -rank; axis < rank; ++axis)
        for (int exclusive : {0, 1})
          for (int reverse : {0, 1}) {
            CAPTURE(dims_str(shape));
            CAPTURE(dtype_name(t));
            CAPTURE(axis);
            CAPTURE(exclusive);
            CAPTURE(reverse);
            OpRun r;
            r.op_type = "CumSum";
            r.opset = 14;
            const DType axis_type = axis % 2 ? DType::Int32 : DType::Int64;
            r.inputs = {x, make_tensor(axis_type, {}, {double(axis)})};
            r.attrs = {attr_int("exclusive", exclusive), attr_int("reverse", reverse)};
            const int64_t a = axis < 0 ? axis + rank : axis;
            const Tier tier = dtype_is_float(t) ? Tier::Close : Tier::Exact;
            check_close(run_op(r)[0], reference_cumsum(x, a, exclusive, reverse), tier, shape[size_t(a)]);
          }
    }
  }
}

TEST_CASE("reduce: CumSum rejects a non-scalar axis and bool input") {
  OpRun r;
  r.op_type = "CumSum";
  r.opset = 14;
  r.inputs = {random_tensor(DType::Float32, {3, 4}), make_tensor(DType::Int64, {2}, {0, 1})};
  CHECK_THROWS_AS(run_op(r), Error);
  r.inputs = {random_tensor(DType::Bool, {3, 4}), make_tensor(DType::Int64, {}, {0})};
  CHECK_THROWS_AS(run_op(r), Error);
}

}  // namespace ember::test
