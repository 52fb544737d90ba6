// Weight prepacking from deferred weights (backends/cpu/gemm_conv/weight_rows.h): the direct-conv
// packer, PackedA and PackedB (every f32 GEMM entry's pack_a / pack_b) fed block by block from an unaligned view
// with a pending row scale must produce exactly what they produce from the materialised weights;
// ragged row counts, reductions long enough to cut W into several blocks, group offsets. Then
// the native Conv kernels end to end on such weights (1-3 threads), checking that building
// them leaves the weights unmaterialised.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/weight_rows.h"
#include "kernels/dispatch/f32_conv_direct.h"
#include "kernels/f32_gemm_check.h"
#include "native_check.h"

namespace ember::test {
namespace {

using backends::gemm_conv::for_weight_rows;
using kernels::F32GemmKernels;

// Random float32 weights of `shape` lying one byte off alignment (an unaligned view, as the
// ONNX reader makes) with a random pending scale per row (as the Conv+BN fold makes).
Tensor deferred_weights(const Dims& shape, double scale = 1.0) {
  const int64_t n = dims_numel(shape);
  auto buf = std::make_shared<std::vector<unsigned char>>(size_t(n) * 4 + 8);
  unsigned char* at = buf->data() + (4 - reinterpret_cast<uintptr_t>(buf->data()) % 4) % 4 + 1;
  const Tensor vals = uniform({n}, scale);
  std::memcpy(at, vals.raw(), vals.nbytes());
  const Tensor s = random_tensor(DType::Float32, {shape[0]}, 0.5, 2.0);
  return Tensor::unaligned_view(DType::Float32, shape, at, buf)
      .with_row_scale(std::vector<double>(s.data<float>(), s.data<float>() + shape[0]));
}

}  // namespace

TEST_CASE("weight rows: the direct-conv packer fed by blocks equals packing the materialised weights") {
  struct Size { int64_t groups, mg, k; };
  // K = 4100: 15 rows per 256 KiB block, so W is cut into several blocks, the last one ragged.
  const Size sizes[] = {{1, 1, 1}, {1, 7, 3}, {2, 37, 129}, {1, 37, 4100}, {3, 19, 4100}, {1, 64, 27}};
  for (const Size& z : sizes)
    for (int strip : {1, 5, 6, 8, 16, 32}) {
      INFO("groups ", z.groups, " mg ", z.mg, " k ", z.k, " strip ", strip, " seed ", seed());
      const Tensor w = deferred_weights({z.groups * z.mg, z.k});
      const size_t per_group = kernels::f32_conv_direct_packed_size(z.mg, z.k, strip);
      std::vector<float> got(per_group * size_t(z.groups) + 64, -1.0f), want = got;
      for (int64_t g = 0; g < z.groups; ++g)
        for_weight_rows(w, g * z.mg, (g + 1) * z.mg, strip, [&](int64_t row, int64_t rows, const float* p) {
          kernels::f32_conv_direct_pack_weights(rows, z.k, p, strip, got.data() + g * per_group + (row - g * z.mg) * z.k);
        });
      REQUIRE(w.deferred());  // packed from the blocks, not from a materialised copy
      const float* all = w.data<float>();
      for (int64_t g = 0; g < z.groups; ++g)
        kernels::f32_conv_direct_pack_weights(z.mg, z.k, all + g * z.mg * z.k, strip, want.data() + g * per_group);
      CHECK(std::memcmp(got.data(), want.data(), got.size() * sizeof(float)) == 0);
    }
}

TEST_CASE("weight rows: PackedA from a deferred weight multiplies exactly as from the materialised one") {
  struct Size { int64_t rows, row0, M, K; };
  const Size sizes[] = {{1, 0, 1, 1}, {17, 0, 17, 7}, {40, 3, 37, 129}, {37, 0, 37, 4100}, {90, 45, 45, 2000}};
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test())
    for (const Size& z : sizes) {
      INFO("entry ", k->name, " rows ", z.rows, " row0 ", z.row0, " M ", z.M, " K ", z.K, " seed ", seed());
      const Tensor w = deferred_weights({z.rows, z.K}, 1.0 / std::sqrt(double(z.K)));
      const backends::gemm_conv::PackedA staged(*k, w, z.row0, z.M);
      REQUIRE(w.deferred());
      const Tensor plain = w.clone();  // the materialised elements, not deferred
      REQUIRE(!plain.deferred());
      const backends::gemm_conv::PackedA whole(*k, plain, z.row0, z.M);
      const int64_t N = 19;
      const Tensor b = uniform({z.K, N});
      Tensor c1 = Tensor::zeros(DType::Float32, {z.M, N}), c2 = Tensor::zeros(DType::Float32, {z.M, N});
      staged.multiply(*k, 0, z.M, N, b.data<float>(), N, c1.data<float>(), N, {});
      whole.multiply(*k, 0, z.M, N, b.data<float>(), N, c2.data<float>(), N, {});
      CHECK(std::memcmp(c1.raw(), c2.raw(), c1.nbytes()) == 0);
      // And the plain weights' product is right (the materialised rows are the scaled ones).
      Tensor ref = Tensor::zeros(DType::Float32, {z.M, N});
      const float* a = plain.data<float>() + z.row0 * z.K;
      for (int64_t i = 0; i < z.M; ++i)
        for (int64_t j = 0; j < N; ++j) {
          double acc = 0;
          for (int64_t q = 0; q < z.K; ++q) acc += double(a[i * z.K + q]) * b.data<float>()[q * N + j];
          ref.data<float>()[i * N + j] = float(acc);
        }
      check_close_to_scale(c2, ref, Tier::Close, z.K);
    }
}

TEST_CASE("weight rows: PackedB from a deferred B equals packing the materialised B, 1 to 3 threads") {
  struct Size { int64_t K, N; };
  // The last ones are above the size from which PackedB splits the packing over a pool, and
  // cut into several stage blocks per column range.
  const Size sizes[] = {{1, 1}, {7, 17}, {63, 129}, {300, 1}, {300, 1000}, {513, 777}, {2100, 300}};
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test())
    for (const Size& z : sizes)
      for (bool transB : {false, true})
        for (int threads : {1, 2, 3}) {
          INFO("entry ", k->name, " K=", z.K, " N=", z.N, " transB=", transB, " threads=", threads, " seed ", seed());
          const Tensor b = deferred_weights(transB ? Dims{z.N, z.K} : Dims{z.K, z.N});
          ThreadPool pool(threads);
          const backends::gemm_conv::PackedB staged(*k, b, transB, &pool);
          REQUIRE(b.deferred());
          const Tensor plain = b.clone();
          const backends::gemm_conv::PackedB whole(*k, z.K, z.N, plain.data<float>(), transB ? z.K : z.N, transB, &pool);
          REQUIRE(staged.K() == z.K);
          REQUIRE(staged.N() == z.N);
          CHECK(std::memcmp(staged.data(), whole.data(), k->packed_b_size(z.K, z.N) * sizeof(float)) == 0);
        }
}

TEST_CASE("weight rows: native Conv kernels built from deferred weights, 1 to 3 threads") {
  struct Case { int64_t n, c, h, w, m, kh, kw, group, pad, stride = 1; };
  const Case cases[] = {
      {1, 64, 14, 14, 45, 1, 1, 1, 0},     // 1x1 as a GEMM (packed A)
      {1, 300, 9, 9, 300, 1, 1, 1, 0, 2},  // strided 1x1: im2col + GEMM, two blocks
      {1, 520, 7, 7, 37, 3, 3, 1, 1},    // spatial, K = 4680: several blocks
      {1, 4100, 5, 5, 45, 1, 1, 1, 0},   // 1x1, long reduction (GEMM or channel-vector tile)
      {1, 64, 9, 9, 19, 1, 1, 1, 0},     // 1x1 with few channels (direct)
      {2, 16, 11, 13, 33, 3, 3, 1, 1},   // spatial, short
      {1, 24, 10, 10, 24, 3, 3, 24, 1},  // depthwise
      {1, 3, 15, 15, 17, 3, 3, 1, 1},    // short reduction (27 taps)
      {1, 32, 6, 6, 64, 3, 3, 4, 1},     // grouped
  };
  std::set<std::string> kernels_seen;
  for (const Case& k : cases)
    for (int threads = 1; threads <= 3; ++threads) {
      const int64_t kd = (k.c / k.group) * k.kh * k.kw;
      NativeCase nc{"Conv", "", 11,
                    {uniform({k.n, k.c, k.h, k.w}), deferred_weights({k.m, k.c / k.group, k.kh, k.kw}, 1.0 / std::sqrt(double(kd))),
                     uniform({k.m})},
                    {attr_int("group", k.group), attr_ints("pads", {k.pad, k.pad, k.pad, k.pad}),
                     attr_ints("strides", {k.stride, k.stride})},
                    {1, 2}};
      const std::string name = native_kernel_name(nc, threads);
      INFO("c ", k.c, " m ", k.m, " k ", k.kh, "x", k.kw, " group ", k.group, " threads ", threads, " kernel ", name);
      CHECK(!name.empty());
      CHECK(nc.inputs[1].deferred());  // the kernel read W by blocks, no materialised copy
      kernels_seen.insert(name);
      check_native(nc, threads, kd);
    }
  MESSAGE("kernels: ", kernels_seen.size());
  // Direct (both tiles), 1x1 GEMM, im2col, depthwise, and (AVX-512) the short-reduction form.
  CHECK(kernels_seen.size() >= 5);
}

}  // namespace ember::test
