// Every f32 GEMM entry (generic; AVX2 and native AVX-512 when this CPU has them; AVX-512 via
// SIMDe always) against a naive triple loop in double (f32_gemm_check.h): odd sizes, both
// packed forms, transposes, leading dimensions wider than the matrices, unaligned pointers,
// alpha/beta, every epilogue (per-column / per-row bias, residual, each activation), row and
// column sub-ranges through the packed offsets, M = 1..16 (the small-M path for M <= 4, its
// multi-panel tiles with a narrow last panel, and the blocked path above), K spanning several KC
// blocks and M several MC blocks. Random inputs from test::rng() (seed printed by main).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "f32_gemm_check.h"

namespace ember::test {
namespace {

using kernels::Activation;
using kernels::F32GemmKernels;


struct ActCase {
  Activation act;
  float alpha, beta;
};
const ActCase kActivations[] = {
    {Activation::None, 0, 0},         {Activation::Relu, 0, 0},        {Activation::LeakyRelu, 0.1f, 0},
    {Activation::Clip, -0.5f, 1.5f},  {Activation::Sigmoid, 0, 0},     {Activation::HardSigmoid, 0.2f, 0.5f},
    {Activation::HardSwish, 0, 0},    {Activation::Silu, 0, 0},        {Activation::Gelu, 0, 0},
    {Activation::GeluTanh, 0, 0},
};

TEST_CASE("f32 gemm kernels: odd sizes x transposes x leading dimensions x both forms") {
  const int64_t sizes[] = {1, 7, 17, 63, 129};
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (GemmForm form : {GemmForm::PackedB, GemmForm::PackedA}) {
      for (int i = 0; i < 5; ++i) {
        for (int j = 0; j < 5; ++j) {
          GemmCase c{sizes[i], sizes[j], sizes[(i + 2 * j + 1) % 5]};
          c.ta = (i + j) % 2;
          c.tb = ((i + j) / 2) % 2;
          c.pad = (i * 5 + j) % 3 == 0 ? 0 : 3;
          c.form = form;
          check_gemm_case(*k, c);
        }
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: alpha, beta, bias per column / per row, residual, every activation") {
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    int v = 0;
    for (const ActCase& a : kActivations) {
      for (GemmForm form : {GemmForm::PackedB, GemmForm::PackedA}) {
        for (float beta : {0.0f, -0.5f}) {
          GemmCase c{13 + v % 7, 35 + v, 31 + 3 * (v % 5)};
          c.ta = v % 2;
          c.tb = (v / 2) % 2;
          c.pad = 2;
          c.alpha = v % 3 ? 0.75f : 1.0f;
          c.beta = beta;
          c.bias = v % 4 != 3;
          c.bias_per_row = v % 2 == 0;
          c.residual = v % 3 != 1;
          c.act = a.act;
          c.act_alpha = a.alpha;
          c.act_beta = a.beta;
          c.form = form;
          check_gemm_case(*k, c);
          ++v;
        }
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: column and row sub-ranges through the packed offsets") {
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (GemmForm form : {GemmForm::PackedB, GemmForm::PackedA}) {
      for (GemmSplit split : {GemmSplit::Columns, GemmSplit::Rows}) {
        for (bool per_row : {false, true}) {
          GemmCase c{53, 97, 45, per_row, !per_row, 1, 1.0f, 0.5f, true, per_row, true, Activation::Silu};
          c.form = form;
          c.split = split;
          check_gemm_case(*k, c);
          c.M = 3;  // the small-M path
          c.K = 300;
          check_gemm_case(*k, c);
          c.M = 6;  // the blocked path with one row strip
          c.K = 37;
          check_gemm_case(*k, c);
        }
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: M = 1..16 (small-M and blocked paths) with edge columns and every epilogue") {
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (int64_t M = 1; M <= 16; ++M) {
      const ActCase& a = kActivations[size_t(M) % std::size(kActivations)];
      // N = 61, 100, 113: the multi-panel small-M tiles (4 or 2 panels of nr columns at once)
      // with a full or narrow last panel, then single-panel tiles for the rest.
      for (int64_t N : {1, 16, 47, 61, 100, 113}) {
        GemmCase c{M, N, M % 3 == 0 ? 300 : 37 + M};
        c.ta = M == 7;
        c.tb = N == 47;
        c.pad = M % 2;
        c.beta = M % 4 == 1 ? 1.0f : 0.0f;
        c.bias = N != 16;
        c.bias_per_row = M % 2 == 0;
        c.residual = M % 3 != 2;
        c.act = a.act;
        c.act_alpha = a.alpha;
        c.act_beta = a.beta;
        check_gemm_case(*k, c);
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: several K and M blocks, K == 0, one row / one column") {
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (GemmForm form : {GemmForm::PackedB, GemmForm::PackedA}) {
      // K over several KC = 256 blocks: beta on the first block only, the epilogue (residual
      // added once) on the last.
      GemmCase c{19, 45, 600, false, false, 1, 1.5f, -1.0f, true, true, true, Activation::Relu};
      c.form = form;
      check_gemm_case(*k, c);
      c = GemmCase{7, 33, 513, true, true, 0, 1.0f, 0.0f, true, false, true, Activation::GeluTanh};
      c.form = form;
      check_gemm_case(*k, c);
      // M over MC (120 for AVX2, 144 for AVX-512); N over the per-call B block of packed A (192).
      c = GemmCase{150, 40, 20, false, true, 5, 1.0f, 0.5f, true, false, false, Activation::Relu};
      c.form = form;
      check_gemm_case(*k, c);
      c = GemmCase{30, 450, 270, true, false, 0, 1.0f, 0.0f, true, true, true, Activation::HardSwish};
      c.form = form;
      check_gemm_case(*k, c);
      // K == 0: C = beta*C + bias + residual, then the activation.
      c = GemmCase{25, 20, 0, false, false, 0, 1.0f, 2.0f, true, false, true, Activation::Relu};
      c.form = form;
      check_gemm_case(*k, c);
      c = GemmCase{5, 20, 0};
      c.form = form;
      check_gemm_case(*k, c);
      for (GemmCase e : {GemmCase{1, 1, 1}, GemmCase{1, 300, 64, false, true, 0, 1.0f, 0.0f, true},
                         GemmCase{300, 1, 64, true, false, 0, 1.0f, 0.0f, true, true, false, Activation::Relu}}) {
        e.form = form;
        check_gemm_case(*k, e);
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: packed-B form with A read unpacked (few B panels) or packed (many)") {
  // gemm_packed leaves A unpacked when N has at most 8 NR-column panels (DIRECT_A_PANELS in
  // the x86 Cfgs): N just below, at and above that edge, M over MC with an edge strip, K over
  // several KC blocks, transposed A (always packed), padded leading dimensions.
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    const int64_t nr = std::max(k->nr, 16);  // the generic entry's tile is narrower
    for (int64_t N : {nr - 3, 2 * nr + 5, 8 * nr, 8 * nr + 1}) {
      for (bool ta : {false, true}) {
        GemmCase c{157, N, 530, ta, false, 3, 1.0f, 0.5f, true, false, true, Activation::Relu};
        check_gemm_case(*k, c);
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: packed-A form's column blocks, a merged last block and a narrow last panel") {
  // gemm_packed_a packs B in blocks of NCA = 192 columns (the x86 Cfgs), merges a last block
  // of at most one panel into the one before (N = 196 is one block, not 192 + 4) and runs a
  // last panel of at most one vector (L) of columns with a one-vector tile on full row strips:
  // N around those edges (196 = 192 + 4: ResNet-50's 14x14 layers), M with an edge strip (the
  // edge strip keeps the full-width tile on that panel), K over two KC blocks, with bias per
  // row, residual and Relu (a convolution's epilogue), whole and split in rows / columns.
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (int64_t N : {196, 192 + 17, 224, 225, 192 + 32 + 8, 3 * 192 + 5, 49, 40, 8}) {
      for (int64_t M : {36, 43}) {
        GemmCase c{M, N, N % 2 ? 300 : 64, false, false, N % 3 == 0 ? 3 : 0, 1.0f, 0.0f, true, true, true,
                   Activation::Relu};
        c.form = GemmForm::PackedA;
        check_gemm_case(*k, c);
        c.split = N % 2 ? GemmSplit::Rows : GemmSplit::Columns;
        check_gemm_case(*k, c);
      }
    }
  }
}

TEST_CASE("f32 gemm kernels: relu keeps NaN, like the ONNX Relu") {
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test()) {
    INFO("kernel ", std::string(k->name));
    for (int64_t M : {12, 3, 40}) {       // small-M and blocked paths
      for (int64_t N : {16, 32, 5}) {     // full tiles and an edge tile
        const int64_t K = 3;
        std::vector<float> A(size_t(M * K), 1.0f), B(size_t(K * N), -1.0f), C(size_t(M * N), 0.0f);
        A[4] = std::numeric_limits<float>::quiet_NaN();  // row 1, col 1 -> row 1 of C is NaN
        std::vector<float> packed(k->packed_b_size(K, N));
        k->pack_b(K, N, B.data(), N, false, packed.data());
        kernels::GemmEpilogue ep;
        ep.activation = Activation::Relu;
        k->gemm_packed(M, N, K, A.data(), K, false, packed.data(), C.data(), N, 1.0f, 0.0f, ep);
        CHECK(std::isnan(C[size_t(N)]));
        CHECK(C[0] == 0.0f);
      }
    }
  }
}

}  // namespace
}  // namespace ember::test
