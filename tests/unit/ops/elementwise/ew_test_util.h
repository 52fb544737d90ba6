// Naive references for the elementwise tests: every output element is computed in double from
// its own multi-index (no stride tricks, no op_util helpers), so they are independent of the
// broadcast engine under test.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "test_util.h"

namespace ember::test::ewt {

using Fn1 = std::function<double(double)>;
using FnN = std::function<double(const std::vector<double>&)>;

inline Dims ref_broadcast_shape(const std::vector<Dims>& shapes) {
  size_t r = 0;
  for (const Dims& s : shapes) r = std::max(r, s.size());
  Dims out(r, 1);
  for (const Dims& s : shapes)
    for (size_t i = 0; i < s.size(); ++i) {
      int64_t& o = out[r - s.size() + i];
      if (s[i] != 1) o = s[i];
    }
  return out;
}

// out[i] = f(in_0[i'], in_1[i''], ...) with numpy broadcasting, in double, converted to `out`.
inline Tensor ref_broadcast(const std::vector<Tensor>& ins, DType out, const FnN& f) {
  std::vector<Dims> shapes;
  std::vector<std::vector<double>> vals;
  for (const Tensor& t : ins) {
    shapes.push_back(t.shape());
    vals.push_back(to_doubles(t));
  }
  const Dims os = ref_broadcast_shape(shapes);
  const int64_t n = dims_numel(os);
  std::vector<double> res(static_cast<size_t>(n));
  std::vector<double> args(ins.size());
  for (int64_t flat = 0; flat < n; ++flat) {
    // Multi-index of `flat` in the output, then each input's row-major offset.
    Dims idx(os.size());
    int64_t rem = flat;
    for (size_t d = os.size(); d-- > 0;) {
      idx[d] = rem % os[d];
      rem /= os[d];
    }
    for (size_t k = 0; k < ins.size(); ++k) {
      const Dims& s = shapes[k];
      int64_t off = 0;
      for (size_t d = 0; d < s.size(); ++d) {
        const int64_t i = s[d] == 1 ? 0 : idx[os.size() - s.size() + d];
        off = off * s[d] + i;
      }
      args[k] = vals[k][size_t(off)];
    }
    res[size_t(flat)] = f(args);
  }
  return make_tensor(out, os, res);
}

inline Tensor ref_map(const Tensor& x, DType out, const Fn1& f) {
  return ref_broadcast({x}, out, [&](const std::vector<double>& a) { return f(a[0]); });
}

inline Tensor ref_binary(const Tensor& a, const Tensor& b, DType out,
                         const std::function<double(double, double)>& f) {
  return ref_broadcast({a, b}, out, [&](const std::vector<double>& v) { return f(v[0], v[1]); });
}

// Compares results; float16 outputs are compared to within one float16 ulp (2^-10 relative),
// because the kernel computes in float and the reference in double, and either may round
// a value near a float16 tie to a different neighbour.
inline void check_result(const Tensor& got, const Tensor& want, Tier tier) {
  if (want.dtype() != DType::Float16) {
    check_close(got, want, tier);
    return;
  }
  REQUIRE(got.dtype() == want.dtype());
  REQUIRE(got.shape() == want.shape());
  const std::vector<double> g = to_doubles(got), w = to_doubles(want);
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i] == w[i] || (std::isnan(w[i]) && std::isnan(g[i]))) continue;  // incl. equal infinities
    const double tol = std::ldexp(std::fabs(w[i]), -10) + 1e-7;
    if (!(std::fabs(g[i] - w[i]) <= tol)) {
      FAIL_CHECK("float16 mismatch at ", i, ": got ", g[i], " want ", w[i]);
      return;
    }
  }
}

// Runs a single-output op and returns output 0.
inline Tensor run1(const std::string& op, std::vector<Tensor> ins, std::vector<ir::Attribute> attrs = {},
                   int opset = 17) {
  OpRun r;
  r.op_type = op;
  r.inputs = std::move(ins);
  r.attrs = std::move(attrs);
  r.opset = opset;
  return run_op(r).at(0);
}

// The Status of the Error `fn` throws (CHECK fails if it does not throw an ember::Error).
template <class F>
Status status_of(F&& fn) {
  try {
    fn();
  } catch (const Error& e) {
    // Errors must name the node (run_op calls it "<op>_under_test").
    CHECK_MESSAGE(std::string(e.what()).find("_under_test") != std::string::npos, std::string(e.what()));
    return e.status();
  }
  FAIL_CHECK("expected an ember::Error");
  return Status::Ok;
}

}  // namespace ember::test::ewt
