// Every int8 GEMM entry (generic; AVX2 and native AVX-512BW / VNNI when this CPU has them, and the
// narrow 7-bit-weight vpmaddubsw entries of AVX2 / AVX-512BW on weights b' in [-64, 64];
// both AVX-512 entries via SIMDe always) against a plain int64 triple loop: odd sizes, both
// transposes, leading dimensions wider than the matrices, int8 and uint8 weights, per-tensor and
// per-column weight zero points, extreme values (A all 0/255 against B -128/127: pairs a naive
// vpmaddubsw would saturate), K long enough for the int32 result to wrap, row/column blocks at
// mr/nr multiples, and every epilogue (int32 + bias, float dequantization + bias + Relu,
// uint8/int8 requantization + Relu, transposed C), and pack_a_rows (A^T as row pointers, with
// and without row sums). Random inputs from test::rng() (seed printed
// by main).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/u8s8_gemm.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::QuantOut;
using kernels::U8S8Epilogue;
using kernels::U8S8GemmKernels;

// An entry and whether it is a narrow one (only valid for weights b' in [-64, 64]).
struct Entry {
  const U8S8GemmKernels* k;
  bool narrow = false;
};

std::vector<Entry> kernels_under_test() {
  std::vector<Entry> ks{{&kernels::u8s8_gemm_generic_kernels()}};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if (f & kernels::kCpuAvx2) {
    ks.push_back({&kernels::avx2::u8s8_gemm_kernels()});
    ks.push_back({&kernels::avx2::u8s8_gemm_7bit_kernels(), true});
  }
  const uint32_t bw = kernels::kCpuAvx512f | kernels::kCpuAvx512bw;
  if ((f & bw) == bw) {
    ks.push_back({&kernels::avx512::u8s8_gemm_bw_kernels()});
    ks.push_back({&kernels::avx512::u8s8_gemm_bw_7bit_kernels(), true});
  }
  if ((f & bw) == bw && (f & kernels::kCpuAvx512vnni)) ks.push_back({&kernels::avx512::u8s8_gemm_vnni_kernels()});
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  ks.push_back({&kernels::avx512_simde::u8s8_gemm_bw_kernels()});
  ks.push_back({&kernels::avx512_simde::u8s8_gemm_bw_7bit_kernels(), true});
  ks.push_back({&kernels::avx512_simde::u8s8_gemm_vnni_kernels()});
#endif
  return ks;
}

enum class Fill { Random, Extreme, Saturating };

struct Case {
  int64_t M, N, K;
  bool ta = false, tb = false, b_unsigned = false, zp_per_column = false;
  int64_t pad = 0;  // extra leading-dimension elements
  Fill fill = Fill::Random;
  int32_t za = 0;
  bool narrow = false;  // weights b' in [-64, 64] (zero points still over the whole type)
  bool rows = false;     // A packed by pack_a_rows from separately allocated rows of A^T (needs ta)
  bool row_sums = true;  // pack_a_rows' flag; false gives weight zero points with zb' = 0
};

struct Operands {
  std::vector<uint8_t> a;  // stored [M, K] or [K, M]
  std::vector<uint8_t> b;  // raw bytes of int8 / uint8, stored [K, N] or [N, K]
  std::vector<int32_t> zb;
  int64_t lda, ldb;
};

int64_t irand(int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng()); }

Operands make_operands(const Case& c) {
  Operands o;
  o.lda = (c.ta ? c.M : c.K) + c.pad;
  o.ldb = (c.tb ? c.K : c.N) + c.pad;
  o.a.resize(size_t((c.ta ? c.K : c.M) * o.lda));
  o.b.resize(size_t((c.tb ? c.N : c.K) * o.ldb));
  const int64_t zlo = c.b_unsigned ? 0 : -128, zhi = c.b_unsigned ? 255 : 127;
  const int64_t shift = c.b_unsigned ? 128 : 0;  // b' = b - shift
  const int64_t blo = c.narrow ? shift - 64 : zlo, bhi = c.narrow ? shift + 64 : zhi;
  for (auto& v : o.a)
    v = uint8_t(c.fill == Fill::Random ? irand(0, 255) : c.fill == Fill::Saturating ? 255 : irand(0, 1) * 255);
  for (auto& v : o.b) {
    const int64_t x = c.fill == Fill::Random ? irand(blo, bhi) : c.fill == Fill::Saturating ? blo : (irand(0, 1) ? blo : bhi);
    v = uint8_t(x);  // two's complement bytes for int8
  }
  o.zb.resize(size_t(c.zp_per_column ? c.N : 1));
  for (auto& z : o.zb) z = int32_t(c.fill == Fill::Random ? irand(zlo, zhi) : irand(0, 1) ? zlo : zhi);
  if (!c.row_sums) std::fill(o.zb.begin(), o.zb.end(), int32_t(shift));  // zb' = 0: row sums unused
  return o;
}

// The exact int64 sum wrapped to int32, as ONNX's int32 ops define it.
std::vector<int32_t> reference(const Case& c, const Operands& o) {
  std::vector<int32_t> y(size_t(c.M * c.N));
  for (int64_t m = 0; m < c.M; ++m)
    for (int64_t n = 0; n < c.N; ++n) {
      int64_t s = 0;
      const int64_t zb = o.zb[size_t(c.zp_per_column ? n : 0)];
      for (int64_t k = 0; k < c.K; ++k) {
        const int64_t a = o.a[size_t(c.ta ? k * o.lda + m : m * o.lda + k)];
        const uint8_t braw = o.b[size_t(c.tb ? n * o.ldb + k : k * o.ldb + n)];
        const int64_t b = c.b_unsigned ? int64_t(braw) : int64_t(int8_t(braw));
        s += (a - c.za) * (b - zb);
      }
      y[size_t(m * c.N + n)] = int32_t(uint32_t(uint64_t(s)));
    }
  return y;
}

// Packs both operands, then runs the result in (up to) four blocks split at mr / nr multiples.
void run(const U8S8GemmKernels& k, const Case& c, const Operands& o, const U8S8Epilogue& ep) {
  std::vector<uint8_t> pa(k.packed_a_size(c.M, c.K) + 64), pb(k.packed_b_size(c.K, c.N) + 64);
  // Deliberately misaligned by 4 bytes: the kernels may not assume more than int32 alignment.
  uint8_t* pa_p = pa.data() + 4;
  uint8_t* pb_p = pb.data() + 4;
  // pack_a_rows: each row of A^T in a buffer of exactly its M bytes (the sanitizer build catches
  // any read past a row), at unrelated addresses.
  std::vector<std::vector<uint8_t>> row_copies;
  std::vector<const uint8_t*> rows;
  if (c.rows) {
    for (int64_t kk = 0; kk < c.K; ++kk) row_copies.emplace_back(o.a.begin() + kk * o.lda, o.a.begin() + kk * o.lda + c.M);
    for (const auto& r : row_copies) rows.push_back(r.data());
    k.pack_a_rows(c.M, c.K, rows.data(), c.row_sums, pa_p);
  } else {
    k.pack_a(c.M, c.K, o.a.data(), o.lda, c.ta, pa_p);
  }
  k.pack_b(c.K, c.N, o.b.data(), o.ldb, c.tb, c.b_unsigned, o.zb.data(), c.zp_per_column, pb_p);
  const int64_t ms = std::min(c.M, (c.M / 2) / k.mr * k.mr), ns = std::min(c.N, (c.N / 2) / k.nr * k.nr);
  const int64_t mcut[] = {0, ms, c.M}, ncut[] = {0, ns, c.N};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j)
      k.gemm(c.M, c.N, c.K, mcut[i], mcut[i + 1], ncut[j], ncut[j + 1], pa_p, pb_p, ep);
}

std::string describe(const Case& c) {
  return "M=" + std::to_string(c.M) + " N=" + std::to_string(c.N) + " K=" + std::to_string(c.K) +
         " ta=" + std::to_string(c.ta) + " tb=" + std::to_string(c.tb) + " b_u8=" + std::to_string(c.b_unsigned) +
         " zp_col=" + std::to_string(c.zp_per_column) + " za=" + std::to_string(c.za) +
         " fill=" + std::to_string(int(c.fill)) + " narrow=" + std::to_string(c.narrow) +
         " rows=" + std::to_string(c.rows) + " row_sums=" + std::to_string(c.row_sums);
}

void check_int32(const U8S8GemmKernels& k, const Case& c) {
  INFO("kernel ", std::string(k.name), " ", describe(c));
  const Operands o = make_operands(c);
  const auto want = reference(c, o);
  std::vector<int32_t> got(want.size(), 0x5a5a5a5a);
  U8S8Epilogue ep;
  ep.out = QuantOut::Int32;
  ep.c = got.data();
  ep.ldc = c.N;
  ep.a_zero_point = c.za;
  run(k, c, o, ep);
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      FAIL_CHECK("element ", i, " (m=", int64_t(i) / c.N, ", n=", int64_t(i) % c.N, "): got ", got[i], ", want ", want[i]);
      return;
    }
  }
}

TEST_CASE("u8s8 gemm kernels: int32 result vs a triple loop (odd sizes, transposes, zero points, extremes)") {
  const int64_t sizes[] = {1, 7, 17, 63, 129};
  for (const Entry& e : kernels_under_test()) {
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 5; ++j) {
        Case c{sizes[i], sizes[j], sizes[(i + 2 * j + 1) % 5]};
        // Narrow entries only get 7-bit weights; the others get them too on every other case.
        c.narrow = e.narrow || (i + j) % 2 == 1;
        c.ta = (i + j) % 2;
        c.tb = ((i + j) / 2) % 2;
        c.b_unsigned = (i * 5 + j) % 3 == 1;
        c.zp_per_column = (i * 5 + j) % 4 < 2;
        c.pad = (i * 5 + j) % 3 == 0 ? 0 : 3;
        c.fill = Fill((i + j) % 3);
        c.za = int32_t((i * 5 + j) % 4 == 3 ? 0 : irand(0, 255));
        check_int32(*e.k, c);
      }
  }
}

TEST_CASE("u8s8 gemm kernels: 255 x -128 everywhere (saturates a naive vpmaddubsw) and a wrapping int32 sum") {
  for (const Entry& e : kernels_under_test()) {
    // Narrow entries at their limits (255 x -64 / 64, the largest int16 pair sums: +-32640).
    const U8S8GemmKernels* k = e.k;
    for (int32_t za : {0, 255}) {
      Case c{13, 35, 301};
      c.fill = Fill::Saturating;
      c.za = za;
      c.narrow = e.narrow;
      check_int32(*k, c);
      // Transposed A with K past the packer's 16-bit row-sum counters (flushed every 256 k), 29
      // rows (a partial 16-row load) or 101 (two 48-row blocks, then tiles) and a padded
      // leading dimension.
      for (int64_t M : {29, 101}) {
        Case t{M, 35, 1001, true};
        t.fill = Fill::Saturating;
        t.za = za;
        t.pad = 5;
        t.narrow = e.narrow;
        check_int32(*k, t);
      }
    }
    // 255 * 128 * 70001 > 2^31: the int32 result wraps, as the ONNX int32 ops do.
    Case big{2, 17, 70001};
    big.fill = Fill::Saturating;
    big.narrow = e.narrow;
    check_int32(*k, big);
    for (bool b_unsigned : {false, true}) {
      Case ext{5, 40, 1000};
      ext.fill = Fill::Extreme;
      ext.b_unsigned = b_unsigned;
      ext.zp_per_column = true;
      ext.za = 3;
      ext.narrow = e.narrow;
      check_int32(*k, ext);
    }
  }
}

TEST_CASE("u8s8 gemm kernels: pack_a_rows (rows of A^T anywhere), with and without row sums") {
  const int64_t sizes[] = {1, 7, 17, 63, 129};
  for (const Entry& e : kernels_under_test()) {
    for (int i = 0; i < 5; ++i)
      for (int j = 0; j < 5; ++j) {
        Case c{sizes[i], sizes[j], sizes[(i + 3 * j + 2) % 5], true};
        c.rows = true;
        c.row_sums = (i + j) % 2 == 0;
        c.narrow = e.narrow || (i + j) % 3 == 1;
        c.tb = (i * 5 + j) % 3 == 0;
        c.b_unsigned = (i * 5 + j) % 4 == 1;
        c.zp_per_column = j % 2 == 0;
        c.fill = Fill((i + 2 * j) % 3);
        c.za = int32_t(irand(0, 255));
        check_int32(*e.k, c);
      }
    // K past the 16-bit row-sum counters' flush (every 256 k) at the largest sums, both flags.
    for (bool sums : {true, false}) {
      Case t{sums ? 101 : 29, 35, 1001, true};
      t.rows = true;
      t.row_sums = sums;
      t.fill = Fill::Saturating;
      t.za = 255;
      t.zp_per_column = true;
      t.narrow = e.narrow;
      check_int32(*e.k, t);
    }
  }
}

TEST_CASE("u8s8 gemm dispatch: the narrow entry is chosen exactly when every weight b' is in [-64, 64]") {
  const U8S8GemmKernels& base = kernels::u8s8_gemm_kernels();
  const int64_t K = 19, N = 23, ld = 29;  // [N, K] with transB, padded rows
  for (bool b_unsigned : {false, true}) {
    const int shift = b_unsigned ? 128 : 0;
    std::vector<uint8_t> b(size_t(N * ld));
    for (auto& v : b) v = uint8_t(irand(shift - 64, shift + 64));
    b[0] = uint8_t(shift - 64);
    b[1] = uint8_t(shift + 64);
    INFO("b_unsigned=", b_unsigned, " table entry ", std::string(base.name));
    CHECK(kernels::u8s8_weights_fit_7bit(K, N, b.data(), ld, true, b_unsigned));
    const U8S8GemmKernels* want_narrow = base.narrow ? &base.narrow() : &base;
    CHECK(&kernels::u8s8_gemm_kernels_for_weights(base, K, N, b.data(), ld, true, b_unsigned) == want_narrow);
    // The padding past K is not weights: a value out of range there changes nothing.
    b[size_t(3 * ld + K)] = uint8_t(shift + 100);
    CHECK(kernels::u8s8_weights_fit_7bit(K, N, b.data(), ld, true, b_unsigned));
    for (int delta : {-65, 65}) {
      std::vector<uint8_t> c = b;
      c[size_t((N - 1) * ld + K - 1)] = uint8_t(shift + delta);  // the very last weight
      CHECK_FALSE(kernels::u8s8_weights_fit_7bit(K, N, c.data(), ld, true, b_unsigned));
      CHECK(&kernels::u8s8_gemm_kernels_for_weights(base, K, N, c.data(), ld, true, b_unsigned) == &base);
    }
  }
}

// The epilogue forms against the int32 reference pushed through the documented formulas.
TEST_CASE("u8s8 gemm kernels: bias, dequantization, requantization, Relu, transposed C") {
  for (const Entry& e : kernels_under_test()) {
    const U8S8GemmKernels* k = e.k;
    for (QuantOut out : {QuantOut::Int32, QuantOut::Float32, QuantOut::UInt8, QuantOut::Int8}) {
      for (int variant = 0; variant < 4; ++variant) {
        const bool relu = variant & 1, trans_c = variant & 2;
        // 101 rows: transposed C finished in groups of row tiles (48 rows) and a remainder.
        Case c{variant == 3 ? 101 : 37, 45, 83};
        c.narrow = e.narrow;
        c.zp_per_column = variant == 1;
        c.za = int32_t(irand(0, 255));
        INFO("kernel ", std::string(k->name), " out=", int(out), " relu=", relu, " trans_c=", trans_c);
        const Operands o = make_operands(c);
        const auto acc = reference(c, o);
        std::vector<int32_t> bias(size_t(c.N));
        std::vector<float> scale(size_t(c.N)), fbias(size_t(c.N));
        for (int64_t n = 0; n < c.N; ++n) {
          bias[size_t(n)] = int32_t(irand(-20000, 20000));
          // Multipliers that spread the sums over the 8-bit range; ties to even get exercised
          // by the exact half-way values that scale = 2^-k gives.
          scale[size_t(n)] = n % 5 == 0 ? std::ldexp(1.0f, -8) : float(std::uniform_real_distribution<double>(1e-5, 2e-4)(rng()));
          // Saturating products both ways, past int32 once rounded, and a NaN multiplier (-> lo).
          if (n % 7 == 3) scale[size_t(n)] = n % 2 ? 3e4f : 1e30f;
          if (n == 26) scale[size_t(n)] = std::numeric_limits<float>::quiet_NaN();
          fbias[size_t(n)] = float(std::uniform_real_distribution<double>(-1, 1)(rng()));
        }
        const int32_t yzp = out == QuantOut::Int8 ? int32_t(irand(-20, 20)) : int32_t(irand(100, 150));
        const size_t esz = out == QuantOut::Int32 || out == QuantOut::Float32 ? 4 : 1;
        std::vector<uint8_t> got(acc.size() * esz, 0xa5);
        U8S8Epilogue ep;
        ep.out = out;
        ep.c = got.data();
        ep.trans_c = trans_c;
        ep.ldc = trans_c ? c.M : c.N;
        ep.a_zero_point = c.za;
        ep.bias_i32 = bias.data();
        ep.scale = scale.data();
        ep.bias_f32 = out == QuantOut::Float32 ? fbias.data() : nullptr;
        ep.relu = relu;
        ep.y_zero_point = yzp;
        run(*k, c, o, ep);
        int bad = 0;
        for (int64_t m = 0; m < c.M && bad < 3; ++m)
          for (int64_t n = 0; n < c.N && bad < 3; ++n) {
            const int32_t v = int32_t(uint32_t(acc[size_t(m * c.N + n)]) + uint32_t(bias[size_t(n)]));
            const size_t at = size_t(trans_c ? n * c.M + m : m * c.N + n);
            double want = 0, have = 0;
            if (out == QuantOut::Int32) {
              want = v;
              int32_t g;
              std::memcpy(&g, &got[at * 4], 4);
              have = g;
            } else if (out == QuantOut::Float32) {
              const float y = std::fma(float(v), scale[size_t(n)], fbias[size_t(n)]);
              want = relu ? std::max(y, 0.0f) : y;
              float g;
              std::memcpy(&g, &got[at * 4], 4);
              have = g;
            } else {
              const double lo = out == QuantOut::Int8 ? -128 : 0, hi = out == QuantOut::Int8 ? 127 : 255;
              const double q = std::nearbyint(double(v) * double(scale[size_t(n)])) + yzp;
              want = std::isnan(q) ? (relu ? std::max(lo, double(yzp)) : lo)
                                   : std::min(hi, std::max(relu ? std::max(lo, double(yzp)) : lo, q));
              have = out == QuantOut::Int8 ? double(int8_t(got[at])) : double(got[at]);
            }
            if (have != want && !(std::isnan(have) && std::isnan(want))) {
              ++bad;
              FAIL_CHECK("m=", m, " n=", n, ": got ", have, ", want ", want);
            }
          }
      }
    }
  }
}

TEST_CASE("u8s8 gemm dispatch: the table entry matches the CPU and the EMBER_ISA cap") {
  const uint32_t f = kernels::cpu_features();
  CHECK(std::string(kernels::make_u8s8_gemm_kernels(f, kernels::Isa::Generic).name) == "u8s8_gemm__generic");
#if EMBER_HAVE_X86_KERNELS
  if (f & kernels::kCpuAvx2)
    CHECK(std::string(kernels::make_u8s8_gemm_kernels(f, kernels::Isa::Avx2).name) == "u8s8_gemm_6x16__avx2");
  const uint32_t all = kernels::kCpuAvx2 | kernels::kCpuAvx512f | kernels::kCpuAvx512bw | kernels::kCpuAvx512vnni;
  CHECK(std::string(kernels::make_u8s8_gemm_kernels(all, kernels::Isa::Avx512).name) == "u8s8_gemm_12x32__avx512vnni");
  CHECK(std::string(kernels::make_u8s8_gemm_kernels(all & ~kernels::kCpuAvx512vnni, kernels::Isa::Avx512).name) ==
        "u8s8_gemm_12x32__avx512bw");
#endif
}

}  // namespace
}  // namespace ember::test
