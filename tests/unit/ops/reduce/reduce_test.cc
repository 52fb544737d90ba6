// Reduce* ops against a naive reference: every input element is routed to its output slot by
// index arithmetic, the slot's values are kept in a list and folded in double afterwards.
// Covers every axes subset of ranks 1-4 (with negative spellings), keepdims on/off, the
// attribute form (opset 11) and the input form (opset 18, constant and runtime axes).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "test_util.h"

namespace ember::test {
namespace {

using Fold = std::function<double(const std::vector<double>&)>;

double fold_sum(const std::vector<double>& v, double (*f)(double)) {
  double s = 0;
  for (double x : v) s += f(x);
  return s;
}

Fold reference_fold(const std::string& op) {
  auto id = [](double x) { return x; };
  auto sq = [](double x) { return x * x; };
  auto ab = [](double x) { return std::fabs(x); };
  if (op == "ReduceSum") return [=](const auto& v) { return fold_sum(v, id); };
  if (op == "ReduceMean") return [=](const auto& v) { return fold_sum(v, id) / double(v.size()); };
  if (op == "ReduceSumSquare") return [=](const auto& v) { return fold_sum(v, sq); };
  if (op == "ReduceL1") return [=](const auto& v) { return fold_sum(v, ab); };
  if (op == "ReduceL2") return [=](const auto& v) { return std::sqrt(fold_sum(v, sq)); };
  if (op == "ReduceLogSum") return [=](const auto& v) { return std::log(fold_sum(v, id)); };
  if (op == "ReduceLogSumExp")
    return [](const auto& v) { return std::log(fold_sum(v, [](double x) { return std::exp(x); })); };
  if (op == "ReduceMax")
    return [](const auto& v) { return v.empty() ? -INFINITY : *std::max_element(v.begin(), v.end()); };
  if (op == "ReduceMin")
    return [](const auto& v) { return v.empty() ? INFINITY : *std::min_element(v.begin(), v.end()); };
  if (op == "ReduceProd")
    return [](const auto& v) {
      double p = 1;
      for (double x : v) p *= x;
      return p;
    };
  FAIL("no reference for ", op);
  return {};
}

// `axes` are normalised; an empty list reduces everything (the caller handles noop).
Tensor reference_reduce(const std::string& op, const Tensor& x, const std::vector<int64_t>& axes, bool keepdims) {
  const Dims& s = x.shape();
  std::vector<bool> red(s.size(), axes.empty());
  for (int64_t a : axes) red[size_t(a)] = true;
  Dims out_shape, full_out;  // full_out keeps reduced dims as 1 for index arithmetic
  for (size_t i = 0; i < s.size(); ++i) {
    full_out.push_back(red[i] ? 1 : s[i]);
    if (!red[i] || keepdims) out_shape.push_back(red[i] ? 1 : s[i]);
  }
  std::vector<std::vector<double>> slots(size_t(dims_numel(full_out)));
  const std::vector<double> v = to_doubles(x);
  Dims idx(s.size(), 0);
  for (int64_t e = 0; e < x.numel(); ++e) {
    int64_t o = 0;
    for (size_t i = 0; i < s.size(); ++i) o = o * full_out[i] + (red[i] ? 0 : idx[i]);
    slots[size_t(o)].push_back(v[size_t(e)]);
    for (size_t i = s.size(); i-- > 0;) {
      if (++idx[i] < s[i]) break;
      idx[i] = 0;
    }
  }
  const Fold f = reference_fold(op);
  std::vector<double> out;
  for (const auto& slot : slots) out.push_back(f(slot));
  return make_tensor(x.dtype(), out_shape, out);
}

const char* kOps[] = {"ReduceSum", "ReduceMean",     "ReduceMax",      "ReduceMin",      "ReduceProd",
                      "ReduceL1",  "ReduceL2",       "ReduceLogSum",   "ReduceLogSumExp", "ReduceSumSquare"};

// Input ranges keep every op well defined (LogSum needs positive sums, Prod stays moderate).
Tensor input_for(const std::string& op, DType t, const Dims& shape) {
  if (op == "ReduceLogSum" || op == "ReduceProd") return random_tensor(t, shape, 0.5, 1.5);
  return random_tensor(t, shape, -2.0, 2.0);
}

// The op in the form of `opset`: axes as attribute (< 18, < 13 for ReduceSum) or input.
std::vector<Tensor> run_reduce(const std::string& op, int opset, const Tensor& x, const std::vector<int64_t>* axes,
                               int keepdims, bool constant_axes = true, int noop = -1) {
  OpRun r;
  r.op_type = op;
  r.inputs = {x};
  r.opset = opset;
  if (keepdims >= 0) r.attrs.push_back(attr_int("keepdims", keepdims));
  if (noop >= 0) r.attrs.push_back(attr_int("noop_with_empty_axes", noop));
  const bool input_form = opset >= (op == "ReduceSum" ? 13 : 18);
  if (axes && !input_form) r.attrs.push_back(attr_ints("axes", *axes));
  if (axes && input_form) {
    std::vector<double> a(axes->begin(), axes->end());
    r.inputs.push_back(make_tensor(DType::Int64, {int64_t(a.size())}, a));
    if (constant_axes) r.constant_inputs = {1};
  }
  return run_op(r);
}

}  // namespace

TEST_CASE("reduce: every op, every axes subset, both forms, keepdims on/off") {
  const std::vector<Dims> shapes = {{7}, {3, 17}, {2, 1, 9}, {4, 3, 5, 6}, {1, 7, 2, 3}};
  for (const char* op : kOps) {
    for (const Dims& shape : shapes) {
      const Tensor x = input_for(op, DType::Float32, shape);
      const int64_t rank = int64_t(shape.size());
      for (int64_t subset = 1; subset < (int64_t(1) << rank); ++subset) {
        std::vector<int64_t> axes, spelled;
        int64_t k = 1;
        for (int64_t a = 0; a < rank; ++a) {
          if (!(subset >> a & 1)) continue;
          axes.push_back(a);
          spelled.push_back((a + subset) % 2 ? a - rank : a);  // mix negative spellings in
          k *= shape[size_t(a)];
        }
        std::reverse(spelled.begin(), spelled.end());  // order must not matter
        for (int keepdims : {0, 1}) {
          for (int opset : {11, 18}) {
            CAPTURE(op);
            CAPTURE(dims_str(shape));
            CAPTURE(subset);
            CAPTURE(keepdims);
            CAPTURE(opset);
            const Tensor want = reference_reduce(op, x, axes, keepdims);
            const auto got = run_reduce(op, opset, x, &spelled, keepdims, /*constant_axes=*/subset % 2 == 0);
            check_close(got[0], want, Tier::Close, k);
          }
        }
      }
    }
  }
}

TEST_CASE("reduce: default axes reduce everything; noop_with_empty_axes applies the fold per element") {
  const Tensor x = random_tensor(DType::Float32, {3, 5, 7}, 0.5, 2.0);
  for (const char* op : kOps) {
    CAPTURE(op);
    for (int keepdims : {-1, 0}) {  // -1: attribute omitted, default 1
      const Tensor want = reference_reduce(op, x, {}, keepdims != 0);
      check_close(run_reduce(op, 11, x, nullptr, keepdims)[0], want, Tier::Close, 105);
      check_close(run_reduce(op, 18, x, nullptr, keepdims)[0], want, Tier::Close, 105);
      const std::vector<int64_t> none;
      check_close(run_reduce(op, 18, x, &none, keepdims, true)[0], want, Tier::Close, 105);
    }
    // noop: each element folded alone, e.g. ReduceL1 -> |x|, ReduceSumSquare -> x^2.
    const Fold f = reference_fold(op);
    std::vector<double> per;
    for (double v : to_doubles(x)) per.push_back(f({v}));
    const Tensor want = make_tensor(DType::Float32, x.shape(), per);
    check_close(run_reduce(op, 18, x, nullptr, 0, true, 1)[0], want, Tier::Close);
  }
}

TEST_CASE("reduce: empty reductions give the fold's identity") {
  const Tensor x(DType::Float32, {2, 0, 3});
  const std::vector<int64_t> axes{1};
  const std::pair<const char*, double> cases[] = {
      {"ReduceSum", 0.0},         {"ReduceProd", 1.0},   {"ReduceMax", -INFINITY}, {"ReduceMin", INFINITY},
      {"ReduceL1", 0.0},          {"ReduceL2", 0.0},     {"ReduceSumSquare", 0.0}, {"ReduceLogSum", -INFINITY},
      {"ReduceLogSumExp", -INFINITY}};
  for (const auto& [op, v] : cases) {
    CAPTURE(op);
    const auto got = run_reduce(op, 18, x, &axes, 1);
    check_close(got[0], make_tensor(DType::Float32, {2, 1, 3}, std::vector<double>(6, v)), Tier::Exact);
  }
  const auto mean = to_doubles(run_reduce("ReduceMean", 18, x, &axes, 0)[0]);
  CHECK(mean.size() == 6);
  for (double m : mean) CHECK(std::isnan(m));
  // Kept dimension of size 0: empty output, nothing computed.
  const auto kept = run_reduce("ReduceSum", 13, Tensor(DType::Float32, {0, 4}), &axes, 1);
  CHECK(kept[0].shape() == Dims{0, 1});
  // Integer mean of nothing has no value: a clear error, not a division by zero.
  CHECK_THROWS_AS(run_reduce("ReduceMean", 18, Tensor(DType::Int32, {2, 0}), &axes, 1), Error);
}

TEST_CASE("reduce: integer, float16 and double element types") {
  const std::vector<int64_t> axes{-1};
  for (DType t : {DType::Int32, DType::Int64, DType::Int8, DType::UInt8}) {
    CAPTURE(dtype_name(t));
    // 8-bit sums of 63 values stay in range with 0/1 inputs; the reference cannot wrap.
    const Tensor x = random_tensor(t, {5, 63}, 0, dtype_size(t) == 1 ? 1 : 3);
    for (const char* op : {"ReduceSum", "ReduceMax", "ReduceMin", "ReduceL1", "ReduceSumSquare"})
      check_close(run_reduce(op, 18, x, &axes, 0)[0], reference_reduce(op, x, {1}, false), Tier::Exact);
    // Integer mean truncates like integer division.
    const auto sums = to_doubles(reference_reduce("ReduceSum", x, {1}, false));
    std::vector<double> means;
    for (double s : sums) means.push_back(std::trunc(s / 63));
    check_close(run_reduce("ReduceMean", 18, x, &axes, 0)[0], make_tensor(t, {5}, means), Tier::Exact);
  }
  const Tensor h = random_tensor(DType::Float16, {4, 129});
  check_close(run_reduce("ReduceMean", 18, h, &axes, 1)[0], reference_reduce("ReduceMean", h, {1}, true),
              Tier::Exact);  // accumulated in double, rounded once: same as the reference's rounding
  const Tensor d = random_tensor(DType::Float64, {63, 300});
  const std::vector<int64_t> axis0{0};
  check_close(run_reduce("ReduceSum", 13, d, &axis0, 0)[0], reference_reduce("ReduceSum", d, {0}, false),
              Tier::Close, 63);
  const Tensor b = random_tensor(DType::Bool, {3, 17});
  check_close(run_reduce("ReduceMax", 20, b, &axes, 0)[0], reference_reduce("ReduceMax", b, {1}, false), Tier::Exact);
}

TEST_CASE("reduce: long float32 sums are accumulated in double") {
  // 1 + 2^-24 * many: a float accumulator would lose every small term after the first.
  const int64_t n = 1 << 16;
  std::vector<double> v(size_t(n), 1.0 / (1 << 24));
  v[0] = 1.0;
  const Tensor x = make_tensor(DType::Float32, {1, n}, v);
  const std::vector<int64_t> axes{1};
  const auto got = to_doubles(run_reduce("ReduceSum", 13, x, &axes, 0)[0]);
  CHECK(got[0] == doctest::Approx(1.0 + double(n - 1) / (1 << 24)).epsilon(1e-7));
}

TEST_CASE("reduce: BERT and pooling patterns") {
  const Tensor ln = random_tensor(DType::Float32, {2, 128, 768});
  const std::vector<int64_t> last{-1};
  check_close(run_reduce("ReduceMean", 13, ln, &last, 1)[0], reference_reduce("ReduceMean", ln, {2}, true),
              Tier::Close, 768);
  const Tensor pool = random_tensor(DType::Float32, {2, 64, 7, 7});
  const std::vector<int64_t> hw{2, 3};
  check_close(run_reduce("ReduceMean", 18, pool, &hw, 1)[0], reference_reduce("ReduceMean", pool, {2, 3}, true),
              Tier::Close, 49);
}

TEST_CASE("reduce: bad axes and types are clear errors") {
  const Tensor x = random_tensor(DType::Float32, {3, 4});
  const std::vector<int64_t> dup{1, -1}, out_of_range{2};
  CHECK_THROWS_AS(run_reduce("ReduceSum", 11, x, &dup, 1), Error);
  CHECK_THROWS_AS(run_reduce("ReduceSum", 13, x, &out_of_range, 1), Error);
  CHECK_THROWS_AS(run_reduce("ReduceMean", 18, x, &out_of_range, 1, /*constant_axes=*/false), Error);
  const std::vector<int64_t> a{0};
  try {
    run_reduce("ReduceLogSum", 18, random_tensor(DType::Int32, {3}, 1, 3), &a, 1);
    FAIL("expected Unsupported");
  } catch (const Error& e) {
    CHECK(e.status() == Status::Unsupported);
    CHECK(std::string(e.what()).find("ReduceLogSum") != std::string::npos);
  }
  CHECK_THROWS_AS(run_reduce("ReduceSum", 13, random_tensor(DType::Bool, {3}), &a, 1), Error);
}

}  // namespace ember::test
