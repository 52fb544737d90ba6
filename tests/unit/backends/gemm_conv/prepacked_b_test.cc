// B prepacking (PackedB over each f32 GEMM entry's pack_b, kernels/x86/f32_gemm_pack.h) against
// the layout written out from its definition: NR-column panels, panel j at j*K*NR, each [k][NR],
// the missing columns of the last panel zero. Random B (seed printed), ragged K and N, both
// transposes, leading dimensions wider than the matrix, packing on 1 to 3 threads (large
// weights are split into column ranges over the pool). The packed buffer is uninitialised
// before packing, so every float of it, padding included, is compared.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "kernels/f32_gemm_check.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::F32GemmKernels;


// op(B) [K, N] packed by definition. B is [K, ldb] (or [N, ldb] with transB).
std::vector<float> reference_pack(int nr, int64_t K, int64_t N, const float* B, int64_t ldb, bool transB) {
  const int64_t panels = (N + nr - 1) / nr;
  std::vector<float> p(size_t(panels * nr * K), 0.0f);
  for (int64_t j = 0; j < panels; ++j)
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < nr; ++c) {
        const int64_t n = j * nr + c;
        if (n < N) p[size_t((j * K + k) * nr + c)] = transB ? B[n * ldb + k] : B[k * ldb + n];
      }
  return p;
}

}  // namespace

TEST_CASE("PackedB: every entry's packing matches the panel layout, ragged sizes, 1 to 3 threads") {
  struct Size { int64_t K, N; };
  // The last two are above the size from which PackedB splits the packing over a pool.
  const Size sizes[] = {{1, 1}, {7, 17}, {17, 63}, {63, 129}, {300, 1}, {9, 33}, {300, 1000}, {513, 777}};
  for (const F32GemmKernels* k : f32_gemm_kernels_under_test())
    for (const Size& s : sizes)
      for (bool transB : {false, true})
        for (int64_t pad : {int64_t(0), int64_t(5)})
          for (int threads : {1, 2, 3}) {
            INFO("entry ", k->name, " K=", s.K, " N=", s.N, " transB=", transB, " ldb pad=", pad,
                 " threads=", threads, " seed ", seed());
            const int64_t ldb = (transB ? s.K : s.N) + pad;
            const Tensor b = random_tensor(DType::Float32, {transB ? s.N : s.K, ldb});
            ThreadPool pool(threads);
            const backends::gemm_conv::PackedB packed(*k, s.K, s.N, b.data<float>(), ldb, transB, &pool);
            const std::vector<float> want = reference_pack(k->nr, s.K, s.N, b.data<float>(), ldb, transB);
            REQUIRE(k->packed_b_size(s.K, s.N) == want.size());
            CHECK(std::memcmp(packed.data(), want.data(), want.size() * sizeof(float)) == 0);
          }
}

}  // namespace ember::test
