// Native MatMul / Gemm / FusedMatMul (src/backends/cpu/gemm_conv/matmul_kernel.cc) against the
// reference kernels: odd sizes, constant (prepacked) and fed B, batches with broadcasting, 1-D
// operands, Gemm's C shapes and attributes, every FusedMatMul epilogue; 1 and 2 threads.
#include <doctest/doctest.h>

#include <cmath>

#include "native_check.h"

namespace ember::test {
namespace {

const int64_t kSizes[] = {1, 7, 17, 63, 129};

// Inputs scaled by 1/sqrt(K) so products stay O(1).
Tensor lhs(const Dims& s, int64_t K) { return uniform(s, 1.0 / std::sqrt(double(std::max<int64_t>(K, 1)))); }

TEST_CASE("native MatMul: 2-D, odd sizes, constant and fed B, 1 and 2 threads") {
  for (int64_t M : kSizes)
    for (int64_t N : {int64_t(1), int64_t(17), int64_t(129)})
      for (int64_t K : {int64_t(1), int64_t(63), int64_t(300)})
        for (bool constant : {true, false})
          for (int threads : {1, 2}) {
            CAPTURE(M); CAPTURE(N); CAPTURE(K); CAPTURE(constant);
            NativeCase c{"MatMul", "", 13, {lhs({M, K}, K), uniform({K, N})}, {}, {}};
            if (constant) c.constant_inputs = {1};
            const std::string name = check_native(c, threads, K);
            CHECK(name.rfind("f32_matmul:", 0) == 0);
            CHECK((name.find("+pack_b") == std::string::npos) == constant);
          }
}

TEST_CASE("native MatMul: a BERT-sized product split over 2 threads") {
  NativeCase c{"MatMul", "", 13, {lhs({1, 128, 768}, 768), uniform({768, 3072})}, {}, {1}};
  check_native(c, 2, 768);
}

TEST_CASE("native MatMul: batched with broadcasting, 1-D operands") {
  struct Shapes { Dims a, b; bool const_b; };
  const Shapes cases[] = {
      {{2, 3, 7, 17}, {3, 17, 5}, false},  {{2, 3, 7, 17}, {17, 5}, true},  {{7, 17}, {2, 17, 9}, false},
      {{4, 1, 9, 33}, {1, 3, 33, 20}, false}, {{12, 65, 64}, {12, 64, 65}, false}, {{17}, {17, 9}, true},
      {{2, 5, 17}, {17}, true}, {{17}, {17}, false}, {{3, 17}, {2, 3, 17, 4}, true}};
  for (const Shapes& s : cases)
    for (int threads : {1, 2}) {
      CAPTURE(dims_str(s.a)); CAPTURE(dims_str(s.b));
      const int64_t K = s.a.back();
      NativeCase c{"MatMul", "", 13, {lhs(s.a, K), uniform(s.b)}, {}, {}};
      if (s.const_b) c.constant_inputs = {1};
      CHECK(!check_native(c, threads, K).empty());
    }
}

TEST_CASE("native Gemm: transposes, alpha/beta, every C shape") {
  const int64_t M = 17, N = 33, K = 29;
  const Dims c_shapes[] = {{N}, {1, N}, {}, {1}, {M, 1}, {M, N}, {1, 1}};
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int ci = -1; ci < int(std::size(c_shapes)); ++ci)
        for (int threads : {1, 2}) {
          CAPTURE(ta); CAPTURE(tb); CAPTURE(ci);
          NativeCase c{"Gemm", "", 13, {lhs(ta ? Dims{K, M} : Dims{M, K}, K), uniform(tb ? Dims{N, K} : Dims{K, N})},
                       {attr_int("transA", ta), attr_int("transB", tb), attr_float("alpha", 0.75f),
                        attr_float("beta", ci == 5 ? 1.0f : -1.5f)},
                       {1}};
          if (ci >= 0) c.inputs.push_back(uniform(c_shapes[ci]));
          if (ci == 2) c.constant_inputs.push_back(2);  // a constant C too
          CHECK(check_native(c, threads, K).rfind("f32_gemm:", 0) == 0);
        }
}

TEST_CASE("native Gemm: full C with beta != 1, large enough to split") {
  NativeCase c{"Gemm", "", 13, {lhs({130, 70}, 70), uniform({70, 257}), uniform({130, 257})},
               {attr_float("beta", 0.5f)}, {1, 2}};
  for (int threads : {1, 2}) check_native(c, threads, 70);
}

struct Act { const char* name; std::vector<float> params; };
const Act kActs[] = {{"", {}},           {"Relu", {}},          {"LeakyRelu", {0.1f}}, {"Clip", {-0.3f, 0.4f}},
                     {"Sigmoid", {}},    {"HardSigmoid", {0.2f, 0.5f}}, {"HardSwish", {}}, {"Silu", {}},
                     {"Gelu", {}},       {"GeluTanh", {}}};

TEST_CASE("native FusedMatMul: every activation with bias and residual") {
  const int64_t M = 19, N = 40, K = 23;
  for (const Act& a : kActs)
    for (bool residual : {false, true})
      for (int threads : {1, 2}) {
        CAPTURE(a.name); CAPTURE(residual);
        NativeCase c{"FusedMatMul", "ai.ember", 1, {uniform({2, M, K}, 1.0), uniform({K, N}), uniform({N})},
                     {attr_string("activation", a.name), attr_float("alpha", 0.6f)}, {1, 2}};
        if (!a.params.empty()) c.attrs.push_back(attr_floats("activation_params", a.params));
        if (residual) c.inputs.push_back(uniform({2, M, N}));
        CHECK(check_native(c, threads, K).rfind("f32_fused_matmul:", 0) == 0);
      }
}

TEST_CASE("native FusedMatMul: transposes, batched fed B, large split") {
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (bool const_b : {false, true})
        for (int threads : {1, 2}) {
          CAPTURE(ta); CAPTURE(tb); CAPTURE(const_b);
          const int64_t M = 65, N = 70, K = 33;
          NativeCase c{"FusedMatMul", "ai.ember", 1,
                       {lhs(ta ? Dims{3, K, M} : Dims{3, M, K}, K), uniform(tb ? Dims{N, K} : Dims{K, N}),
                        Tensor(), uniform({3, M, N})},
                       {attr_int("transA", ta), attr_int("transB", tb), attr_string("activation", "Relu")}, {}};
          if (const_b) c.constant_inputs = {1};
          check_native(c, threads, K);
        }
  NativeCase big{"FusedMatMul", "ai.ember", 1, {lhs({128, 768}, 768), uniform({768, 768}), uniform({768}),
                                                uniform({128, 768})},
                 {attr_string("activation", "Gelu")}, {1, 2}};
  for (int threads : {1, 2}) check_native(big, threads, 768);
}

TEST_CASE("native Gemm / FusedMatMul: one row times a constant transposed B takes the matrix-vector path") {
  // The classifier shape ([1, K] x [N, K]^T), odd sizes, every epilogue; large enough to split
  // over 2 threads. An untransposed B keeps the packed GEMM.
  for (int64_t N : {int64_t(1), int64_t(37), int64_t(1000)})
    for (int threads : {1, 2}) {
      const int64_t K = N == 1000 ? 160 : 29;
      CAPTURE(N); CAPTURE(threads);
      for (bool ta : {false, true}) {
        NativeCase gemm{"Gemm", "", 13, {lhs(ta ? Dims{K, 1} : Dims{1, K}, K), uniform({N, K}), uniform({N})},
                        {attr_int("transA", ta), attr_int("transB", 1), attr_float("alpha", 0.75f),
                         attr_float("beta", -1.5f)},
                        {1, 2}};
        CHECK(check_native(gemm, threads, K).find("f32_gemm:f32_gemv") == 0);
      }
      for (const Act& a : kActs)
        for (bool residual : {false, true}) {
          CAPTURE(a.name); CAPTURE(residual);
          NativeCase c{"FusedMatMul", "ai.ember", 1, {uniform({1, 1, K}, 1.0), uniform({N, K}), uniform({N})},
                       {attr_int("transB", 1), attr_string("activation", a.name), attr_float("alpha", 0.6f)}, {1, 2}};
          if (!a.params.empty()) c.attrs.push_back(attr_floats("activation_params", a.params));
          if (residual) c.inputs.push_back(uniform({1, 1, N}));
          CHECK(check_native(c, threads, K).find("f32_fused_matmul:f32_gemv") == 0);
        }
      NativeCase plain{"Gemm", "", 13, {lhs({1, K}, K), uniform({K, N})}, {}, {1}};
      CHECK(check_native(plain, threads, K).find("f32_gemv") == std::string::npos);
      NativeCase rows2{"Gemm", "", 13, {lhs({2, K}, K), uniform({N, K})}, {attr_int("transB", 1)}, {1}};
      CHECK(check_native(rows2, threads, K).find("f32_gemv") == std::string::npos);
    }
}

TEST_CASE("native MatMul: errors name the problem") {
  NativeCase c{"FusedMatMul", "ai.ember", 1, {uniform({4, 5}), uniform({5, 6}), uniform({7})}, {}, {1}};
  CHECK(status_of([&] { check_native(c, 1, 5); }) != Status::Ok);
}

}  // namespace
}  // namespace ember::test
