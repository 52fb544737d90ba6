// f32 GEMM microbenchmark, one thread. First measures this core's FMA peak (a tight loop of
// independent FMAs on ymm, and zmm where the CPU has AVX-512), then the GFLOP/s of each GEMM
// entry of the kernel table on 1024^3, transformer shapes (M = 128 and decoding steps M = 1, 4,
// 16) and ResNet-50 convolution shapes, as medians over repeats and as % of the measured peak
// for that ISA. Two forms: "B" = gemm_packed (weights packed as B once, outside the timing:
// MatMul, NHWC conv as im2col [H*W, K] x W[K, Cout]) and "A" = gemm_packed_a (weights packed as
// A once: NCHW conv as W[Cout, K] x im2col[K, H*W], B packed per call, inside the timing).
// Prints the load average: the development machines are shared.
//
//   ember_gemm_bench [--min-seconds S] [--filter TEXT]
//     --min-seconds S  repeats per shape and kernel for at least S s of CPU time (default 0.3)
//     --filter TEXT    only the shapes whose description contains TEXT
//
// All times are thread CPU time (CLOCK_THREAD_CPUTIME_ID).
#include <immintrin.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/x86/f32_gemm_x86.h"
#include "bench_clock.h"

namespace {

using ember::bench::cpu_now;
using ember::bench::loadavg;
using ember::bench::median;

using ember::kernels::F32GemmKernels;

// Times are this thread's CPU time (bench_clock.h).
double seconds_since(double t0) { return cpu_now() - t0; }

// 12 independent accumulators: enough to cover FMA latency (4 cycles) x 2 ports.
__attribute__((target("avx2,fma"), noinline)) float fma_loop_avx2(long iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(float(i) * 1e-3f);
  const __m256 m = _mm256_set1_ps(0.999999f), a = _mm256_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, a);
  }
  __m256 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm256_add_ps(s, acc[i]);
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0];
}

__attribute__((target("avx512f"), noinline)) float fma_loop_avx512(long iters) {
  __m512 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm512_set1_ps(float(i) * 1e-3f);
  const __m512 m = _mm512_set1_ps(0.999999f), a = _mm512_set1_ps(1e-7f);
  for (long it = 0; it < iters; ++it) {
#pragma GCC unroll 12
    for (int i = 0; i < 12; ++i) acc[i] = _mm512_fmadd_ps(acc[i], m, a);
  }
  __m512 s = acc[0];
  for (int i = 1; i < 12; ++i) s = _mm512_add_ps(s, acc[i]);
  float out[16];
  _mm512_storeu_ps(out, s);
  return out[0];
}

// Median GFLOP/s of 9 runs of ~50 ms each.
template <class F>
double peak_gflops(F loop, int lanes) {
  const long iters = 2'000'000;
  volatile float sink = loop(iters / 10);  // warm up (clock ramp)
  std::vector<double> g;
  for (int r = 0; r < 9; ++r) {
    const double t0 = cpu_now();
    sink = loop(iters);
    g.push_back(double(iters) * 12 * lanes * 2 / seconds_since(t0) * 1e-9);
  }
  (void)sink;
  return median(g);
}

struct Shape {
  const char* what;
  int64_t M, N, K;
  bool packed_a = false;  // gemm_packed_a (weights as A) instead of gemm_packed
};

// Median seconds per call of one kernel on one shape.
double time_gemm(const F32GemmKernels& k, const Shape& s, double min_seconds) {
  std::mt19937 rng(42);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> A(size_t(s.M * s.K)), B(size_t(s.K * s.N)), C(size_t(s.M * s.N));
  for (auto& x : A) x = d(rng);
  for (auto& x : B) x = d(rng);
  // The weights packed once, like at session creation.
  std::vector<float> packed(s.packed_a ? k.packed_a_size(s.M, s.K) : k.packed_b_size(s.K, s.N));
  if (s.packed_a) k.pack_a(s.M, s.K, A.data(), s.K, false, packed.data());
  else k.pack_b(s.K, s.N, B.data(), s.N, false, packed.data());
  const ember::kernels::GemmEpilogue ep;
  auto run = [&] {
    if (s.packed_a)
      k.gemm_packed_a(s.M, s.N, s.K, packed.data(), B.data(), s.N, false, C.data(), s.N, 1.0f, 0.0f, ep);
    else
      k.gemm_packed(s.M, s.N, s.K, A.data(), s.K, false, packed.data(), C.data(), s.N, 1.0f, 0.0f, ep);
  };
  run();  // warm-up: caches, page faults
  std::vector<double> t;
  const double start = cpu_now();
  while (t.size() < 5 || (seconds_since(start) < min_seconds && t.size() < 1000)) {
    const double t0 = cpu_now();
    run();
    t.push_back(seconds_since(t0));
  }
  return median(t);
}

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = 0.3;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-seconds") && i + 1 < argc) {
      min_seconds = std::atof(argv[++i]);
    } else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) {
      filter = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--min-seconds S] [--filter TEXT]\n"
                   "  f32 GEMM GFLOP/s per kernel-table entry, one thread, thread CPU time medians\n"
                   "  --min-seconds S  repeat each shape and kernel for at least S s (default 0.3)\n"
                   "  --filter TEXT    only shapes whose description contains TEXT\n",
                   argv[0]);
      return std::strcmp(argv[i], "--help") ? 2 : 0;
    }
  }
  namespace K = ember::kernels;
  const uint32_t f = K::cpu_features();
  std::printf("cpu features: %s\n", K::cpu_features_string(f).c_str());
  std::printf("load average before: %s\n", loadavg().c_str());
  if (!(f & K::kCpuAvx2) || !(f & K::kCpuFma)) {
    std::printf("no AVX2+FMA on this CPU: nothing to measure\n");
    return 0;
  }
  const bool has512 = f & K::kCpuAvx512f;
  const double peak2 = peak_gflops(fma_loop_avx2, 8);
  const double peak512 = has512 ? peak_gflops(fma_loop_avx512, 16) : 0.0;
  std::printf("single-core FMA peak (median of 9): ymm %.1f GFLOP/s", peak2);
  if (has512) std::printf(", zmm %.1f GFLOP/s", peak512);
  std::printf("\n\n");

  struct Entry {
    const F32GemmKernels* k;
    double peak;
  };
  std::vector<Entry> entries{{&K::f32_gemm_generic_kernels(), peak2},
                             {&K::avx2::f32_gemm_kernels(), peak2}};
  if (has512) entries.push_back({&K::avx512::f32_gemm_kernels(), peak512});

  const Shape shapes[] = {
      {"square 1024^3", 1024, 1024, 1024},
      {"BERT-base QKV, 128 tokens", 128, 2304, 768},
      {"BERT-base FFN up, 128 tokens", 128, 3072, 768},
      {"BERT-base FFN down, 128 tokens", 128, 768, 3072},
      {"decoder step, 1 token", 1, 3072, 768},
      {"decoder step, 4 tokens", 4, 3072, 768},
      {"decoder step, 16 tokens", 16, 3072, 768},
      {"conv3x3 56x56 64->64 (NHWC im2col)", 3136, 64, 576},
      {"conv3x3 28x28 128->128 (NHWC im2col)", 784, 128, 1152},
      {"conv3x3 14x14 256->256 (NHWC im2col)", 196, 256, 2304},
      {"conv3x3 7x7 512->512 (NHWC im2col)", 49, 512, 4608},
      {"conv3x3 56x56 64->64 (NCHW)", 64, 3136, 576, true},
      {"conv3x3 28x28 128->128 (NCHW)", 128, 784, 1152, true},
      {"conv3x3 14x14 256->256 (NCHW)", 256, 196, 2304, true},
      {"conv3x3 7x7 512->512 (NCHW)", 512, 49, 4608, true},
      {"conv1x1 56x56 64->256 (NCHW)", 256, 3136, 64, true},
      {"conv1x1 56x56 256->64 (NCHW)", 64, 3136, 256, true},
  };
  std::printf("%-38s %5s %5s %5s %4s  %-26s %10s %9s %8s\n", "shape", "M", "N", "K", "form", "kernel",
              "median ms", "GFLOP/s", "% peak");
  for (const Shape& s : shapes) {
    if (!filter.empty() && std::string(s.what).find(filter) == std::string::npos) continue;
    for (const Entry& e : entries) {
      const double t = time_gemm(*e.k, s, min_seconds);
      const double gf = 2.0 * double(s.M) * double(s.N) * double(s.K) / t * 1e-9;
      std::printf("%-38s %5lld %5lld %5lld %4s  %-26s %10.3f %9.1f %7.1f%%\n", s.what,
                  (long long)s.M, (long long)s.N, (long long)s.K, s.packed_a ? "A" : "B", e.k->name,
                  t * 1e3, gf, 100.0 * gf / e.peak);
      std::fflush(stdout);
    }
  }
  std::printf("\ntimes: thread CPU time (CLOCK_THREAD_CPUTIME_ID), medians\n");
  std::printf("load average after: %s\n", loadavg().c_str());
  std::printf("(generic = Eigen; %% peak of generic and AVX2 against the ymm peak, AVX-512 against zmm)\n");
  return 0;
}
