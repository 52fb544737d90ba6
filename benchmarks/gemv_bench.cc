// One row times a constant [N, K] matrix (Gemm transB), one thread: the matrix-vector kernel
// reading W where it lies (kernels/dispatch/f32_gemv.h) against the GEMM with M = 1 on W packed
// ahead of time (what Gemm ran before), alternated call by call (which one goes first flips
// every repeat), medians of thread CPU time. By
// default every call first streams a 64 MB buffer through the caches, so W comes from DRAM as
// it does inside a network (--warm: W stays in cache). The kernel tables follow EMBER_ISA.
//
//   ember_gemv_bench [--repeats N] [--warm]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "kernels/dispatch/f32_gemv.h"
#include "kernels/dispatch/kernel_table.h"

namespace {

using ember::bench::cpu_now;
using ember::bench::median;

template <class T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <class U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const Aligned64&) const { return true; }
};

struct Shape {
  const char* what;
  int64_t N, K;  // W is [N, K], as Gemm with transB reads it
};

const Shape kShapes[] = {
    {"MobileNetV2 classifier [1000,1280]", 1000, 1280},
    {"ResNet-50 classifier [1000,2048]", 1000, 2048},
    {"[768,768]", 768, 768},
    {"[3072,768]", 3072, 768},
    {"[768,3072]", 768, 3072},
};

}  // namespace

int main(int argc, char** argv) {
  int repeats = 41;
  bool warm = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--warm")) warm = true;
    else {
      std::fprintf(stderr, "usage: ember_gemv_bench [--repeats N] [--warm]\n");
      return 2;
    }
  }
  const ember::kernels::F32GemmKernels& g = *ember::kernels::kernel_table().f32_gemm;
  const ember::kernels::F32GemvKernels& v = ember::kernels::f32_gemv_kernels();
  std::printf("load %s; %s vs %s, %s W, median of %d alternated calls\n", ember::bench::loadavg().c_str(), v.name,
              g.name, warm ? "cached" : "DRAM", repeats);
  std::vector<char> flush(warm ? 0 : size_t(64) << 20, 1);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (const Shape& s : kShapes) {
    // 64-byte aligned, as weights are in a saved model's mapping and in prepacked buffers.
    std::vector<float, Aligned64<float>> w(size_t(s.N * s.K)), packed(g.packed_b_size(s.K, s.N));
    std::vector<float> a(size_t(s.K)), y1(size_t(s.N)), y2(size_t(s.N));
    for (auto& x : w) x = d(rng);
    for (auto& x : a) x = d(rng);
    const int64_t ldw = s.K;
    g.pack_b(s.K, s.N, w.data(), ldw, true, packed.data());
    const ember::kernels::GemmEpilogue ep;
    std::vector<double> tv, tg;
    auto evict = [&] {
      for (size_t i = 0; i < flush.size(); i += 64) flush[i] = char(flush[i] + 1);
    };
    for (int r = 0; r < repeats; ++r) {
      // Alternating which goes first, so neither always meets the other's leftovers.
      for (int which = 0; which < 2; ++which) {
        const bool gemv = (which == 0) == (r % 2 == 0);
        evict();
        const double t0 = cpu_now();
        if (gemv) v.gemv_rows(s.N, s.K, a.data(), w.data(), ldw, y1.data(), 1.0f, ep);
        else g.gemm_packed(1, s.N, s.K, a.data(), s.K, false, packed.data(), y2.data(), s.N, 1.0f, 0.0f, ep);
        (gemv ? tv : tg).push_back(cpu_now() - t0);
      }
    }
    double diff = 0;
    for (int64_t n = 0; n < s.N; ++n) diff = std::max(diff, double(std::abs(y1[size_t(n)] - y2[size_t(n)])));
    const double mv = median(tv) * 1e6, mg = median(tg) * 1e6;
    std::printf("%-42s gemv %8.1f us  packed gemm %8.1f us  ratio %.3f  (%.1f GB/s; max |diff| %.2g)\n", s.what, mv,
                mg, mv / mg, double(s.N * s.K) * 4 / (mv * 1e3), diff);
  }
  return 0;
}
