// MatMul (batched, broadcast, 1-D operands) and Gemm (transposes, alpha/beta, C broadcast)
// through the runtime, against naive double-precision loops.
#include <doctest/doctest.h>

#include "nn_test_util.h"

namespace ember::test {
namespace {

using nn::check_result;

// Naive numpy matmul on doubles.
Tensor ref_matmul(const Tensor& a, const Tensor& b) {
  Dims as = a.shape(), bs = b.shape();
  const bool a1 = as.size() == 1, b1 = bs.size() == 1;
  if (a1) as.insert(as.begin(), 1);
  if (b1) bs.push_back(1);
  const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  const Dims ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const size_t r = std::max(ab.size(), bb.size());
  Dims batch(r);
  for (size_t i = 0; i < r; ++i) {
    const int64_t x = i < r - ab.size() ? 1 : ab[i - (r - ab.size())];
    const int64_t y = i < r - bb.size() ? 1 : bb[i - (r - bb.size())];
    batch[i] = std::max(x, y);
  }
  const std::vector<double> va = to_doubles(a), vb = to_doubles(b);
  std::vector<double> out;
  Dims idx(r, 0);
  auto off = [&](const Dims& own) {
    int64_t o = 0;
    for (size_t i = 0; i < own.size(); ++i) {
      const int64_t v = own[i] == 1 ? 0 : idx[r - own.size() + i];
      o = o * own[i] + v;
    }
    return o;
  };
  do {
    const int64_t oa = off(ab) * M * K, ob = off(bb) * K * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        double s = 0;
        for (int64_t k = 0; k < K; ++k) s += va[size_t(oa + m * K + k)] * vb[size_t(ob + k * N + n)];
        out.push_back(s);
      }
  } while (nn::next_index(batch, idx));
  Dims shape = batch;
  if (!a1) shape.push_back(M);
  if (!b1) shape.push_back(N);
  return make_tensor(a.dtype(), shape, out);
}

void check_matmul(DType dt, const Dims& as, const Dims& bs, int opset = 13) {
  CAPTURE(dims_str(as));
  CAPTURE(dims_str(bs));
  CAPTURE(dtype_name(dt));
  const bool is_int = dtype_is_integer(dt);
  const Tensor a = random_tensor(dt, as, is_int ? -5 : -1, is_int ? 5 : 1);
  const Tensor b = random_tensor(dt, bs, is_int ? -5 : -1, is_int ? 5 : 1);
  const Tensor got = run_op(nn::op("MatMul", {a, b}, {}, opset))[0];
  const Tensor want = ref_matmul(a, b);
  if (is_int) check_close(got, want, Tier::Exact);
  else check_result(got, want, as.back());
}

TEST_CASE("nn MatMul: 2-D, batched, broadcast and 1-D operands") {
  for (int64_t m : {1, 7, 17})
    for (int64_t k : {1, 17, 63})
      for (int64_t n : {1, 7, 129}) check_matmul(DType::Float32, {m, k}, {k, n});
  check_matmul(DType::Float32, {3, 7, 17}, {3, 17, 5});
  check_matmul(DType::Float32, {2, 3, 7, 17}, {17, 5});       // shared B folds into one GEMM
  check_matmul(DType::Float32, {7, 17}, {4, 17, 5});          // broadcast A
  check_matmul(DType::Float32, {2, 1, 7, 17}, {1, 3, 17, 5}); // broadcast both
  check_matmul(DType::Float32, {1, 128, 63}, {63, 65});
  check_matmul(DType::Float32, {17}, {17});                   // dot product -> scalar
  check_matmul(DType::Float32, {17}, {3, 17, 5});             // 1-D A
  check_matmul(DType::Float32, {3, 7, 17}, {17});             // 1-D B
  check_matmul(DType::Float64, {2, 7, 63}, {2, 63, 17});
  check_matmul(DType::Float16, {7, 17}, {17, 7});
  check_matmul(DType::Int32, {2, 7, 17}, {17, 5});
  check_matmul(DType::Int64, {7, 17}, {2, 17, 5});
  check_matmul(DType::Float32, {1, 0, 7}, {7, 5});            // empty
}

TEST_CASE("nn MatMul: inner dimension mismatch names both shapes") {
  const auto [st, msg] = nn::error_of([] {
    run_op(nn::op("MatMul", {random_tensor(DType::Float32, {2, 3}), random_tensor(DType::Float32, {4, 5})}));
  });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("MatMul") != std::string::npos);
  CHECK(msg.find("K=3") != std::string::npos);
  CHECK(msg.find("K=4") != std::string::npos);
  const auto [st2, msg2] = nn::error_of([] {
    run_op(nn::op("MatMul", {random_tensor(DType::Float32, {2, 3}), random_tensor(DType::Float64, {3, 5})}));
  });
  CHECK(st2 == Status::TypeMismatch);
}

Tensor ref_gemm(const Tensor& a, const Tensor& b, const Tensor* c, bool ta, bool tb, double alpha, double beta) {
  const int64_t M = a.dim(ta ? 1 : 0), K = a.dim(ta ? 0 : 1), N = b.dim(tb ? 0 : 1);
  const std::vector<double> va = to_doubles(a), vb = to_doubles(b);
  std::vector<double> vc = c ? to_doubles(*c) : std::vector<double>();
  std::vector<double> out;
  for (int64_t m = 0; m < M; ++m)
    for (int64_t n = 0; n < N; ++n) {
      double s = 0;
      for (int64_t k = 0; k < K; ++k)
        s += va[size_t(ta ? k * M + m : m * K + k)] * vb[size_t(tb ? n * K + k : k * N + n)];
      double cv = 0;
      if (c) {
        const Dims& cs = c->shape();
        if (cs.empty()) cv = vc[0];
        else if (cs.size() == 1) cv = vc[size_t(cs[0] == 1 ? 0 : n)];
        else cv = vc[size_t((cs[0] == 1 ? 0 : m) * cs[1] + (cs[1] == 1 ? 0 : n))];
      }
      out.push_back(alpha * s + beta * cv);
    }
  return make_tensor(a.dtype(), {M, N}, out);
}

TEST_CASE("nn Gemm: transposes, alpha/beta, C broadcast forms and optional C") {
  const int64_t M = 7, K = 17, N = 5;
  for (int t = 0; t < 4; ++t) {
    const bool ta = t & 1, tb = t & 2;
    const Tensor a = random_tensor(DType::Float32, ta ? Dims{K, M} : Dims{M, K});
    const Tensor b = random_tensor(DType::Float32, tb ? Dims{N, K} : Dims{K, N});
    for (const Dims& cs : {Dims{}, Dims{N}, Dims{1, N}, Dims{M, 1}, Dims{M, N}, Dims{1}}) {
      CAPTURE(dims_str(cs));
      const Tensor c = random_tensor(DType::Float32, cs);
      const Tensor got = run_op(nn::op("Gemm", {a, b, c},
                                        {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", 0.5f),
                                         attr_float("beta", -2.0f)}))[0];
      check_result(got, ref_gemm(a, b, &c, ta, tb, 0.5, -2.0), K);
    }
    const Tensor got = run_op(nn::op("Gemm", {a, b}, {attr_int("transA", ta), attr_int("transB", tb)}))[0];
    check_result(got, ref_gemm(a, b, nullptr, ta, tb, 1.0, 0.0), K);
  }
  // Defaults alpha = beta = 1, opset 7 (C required then), double.
  const Tensor a = random_tensor(DType::Float64, {63, 17}), b = random_tensor(DType::Float64, {17, 129});
  const Tensor c = random_tensor(DType::Float64, {129});
  check_result(run_op(nn::op("Gemm", {a, b, c}, {}, 7))[0], ref_gemm(a, b, &c, false, false, 1, 1), 17);
}

TEST_CASE("nn Gemm: bad C shape and K mismatch are ShapeMismatch") {
  const Tensor a = random_tensor(DType::Float32, {3, 4}), b = random_tensor(DType::Float32, {4, 5});
  auto [st, msg] = nn::error_of([&] { run_op(nn::op("Gemm", {a, b, random_tensor(DType::Float32, {2, 5})})); });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("Gemm") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Gemm", {a, a})); });
  CHECK(st == Status::ShapeMismatch);
}

}  // namespace
}  // namespace ember::test
