// int8 GEMM microbenchmark, one thread: the u8s8 entries of the kernel table (generic, and
// AVX2 / AVX-512BW / VNNI where the CPU has them, plus the narrow vpmaddubsw entries on 7-bit
// weights) next to the f32 GEMM entry the table picks,
// on 1024^3 and BERT-base shapes (M = 128 tokens: QKV/out 768x768, FFN 768x3072 and 3072x768).
// Weights are packed once outside the timing (as at session creation); per call, int8 packs
// the activations (widening / row sums) and the f32 path packs nothing extra: both times are
// what a MatMul costs at run time. int8 runs twice: int32 output (MatMulInteger) and uint8
// requantized output (QLinearMatMul). The engines alternate within each repeat, and medians
// are reported: the development machines are shared (the load average is printed).
//
//   ember_int8_gemm_bench [--min-seconds S] [--filter TEXT] [--no-generic]
//     --min-seconds S  repeats per shape for at least S s of CPU time (default 0.5)
//     --filter TEXT    only the shapes whose description contains TEXT
//     --no-generic     skip the (slow) generic int8 entry
//
// GOPS = 2*M*N*K / time (one multiply-add = 2 operations, as for f32 GFLOP/s). Times are
// thread CPU time (CLOCK_THREAD_CPUTIME_ID).
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
#include "kernels/dispatch/u8s8_gemm.h"
#include "bench_clock.h"

namespace {

using ember::bench::cpu_now;
using ember::bench::loadavg;
using ember::bench::median;

namespace K = ember::kernels;

struct Shape {
  const char* what;
  int64_t M, N, K;
};

// One int8 entry's run-time work for a MatMul: pack A, multiply, epilogue.
struct Int8Run {
  const K::U8S8GemmKernels* k;
  std::vector<uint8_t> pa, pb;
  std::vector<int32_t> c32;
  std::vector<uint8_t> c8;
  std::vector<float> mult;

  Int8Run(const K::U8S8GemmKernels& kk, const Shape& s, const std::vector<int8_t>& B) : k(&kk) {
    pa.resize(k->packed_a_size(s.M, s.K));
    pb.resize(k->packed_b_size(s.K, s.N));
    k->pack_b(s.K, s.N, B.data(), s.N, false, false, nullptr, false, pb.data());
    c32.resize(size_t(s.M * s.N));
    c8.resize(size_t(s.M * s.N));
    mult.assign(size_t(s.N), 1.0f / 4096.0f);
  }
  double run(const Shape& s, const std::vector<uint8_t>& A, bool requant) {
    K::U8S8Epilogue ep;
    ep.a_zero_point = 128;
    ep.ldc = s.N;
    if (requant) {
      ep.out = K::QuantOut::UInt8;
      ep.c = c8.data();
      ep.scale = mult.data();
      ep.y_zero_point = 128;
    } else {
      ep.c = c32.data();
    }
    const double t0 = cpu_now();
    k->pack_a(s.M, s.K, A.data(), s.K, false, pa.data());
    k->gemm(s.M, s.N, s.K, 0, s.M, 0, s.N, pa.data(), pb.data(), ep);
    return cpu_now() - t0;
  }
};

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = 0.5;
  std::string filter;
  bool generic = true;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-seconds") && i + 1 < argc) min_seconds = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else if (!std::strcmp(argv[i], "--no-generic")) generic = false;
    else {
      std::fprintf(stderr, "usage: %s [--min-seconds S] [--filter TEXT] [--no-generic]\n", argv[0]);
      return 2;
    }
  }
  const uint32_t f = K::cpu_features();
  std::printf("cpu features: %s\n", K::cpu_features_string(f).c_str());
  std::printf("load average before: %s\n", loadavg().c_str());
  const K::F32GemmKernels& f32 = *K::kernel_table().f32_gemm;
  std::vector<const K::U8S8GemmKernels*> entries;
  if (generic) entries.push_back(&K::u8s8_gemm_generic_kernels());
  for (K::Isa cap : {K::Isa::Avx2, K::Isa::Avx512}) {
    const K::U8S8GemmKernels& k = K::make_u8s8_gemm_kernels(f, cap);
    if (std::find(entries.begin(), entries.end(), &k) == entries.end() && &k != &K::u8s8_gemm_generic_kernels())
      entries.push_back(&k);
  }
  // The narrow (vpmaddubsw, 7-bit weights) twins, run on weights in [-64, 63].
  for (size_t i = 0, n = entries.size(); i < n; ++i)
    if (entries[i]->narrow) entries.push_back(&entries[i]->narrow());
  const Shape shapes[] = {
      {"1024^3", 1024, 1024, 1024},
      {"bert qkv/out 128x768x768", 128, 768, 768},
      {"bert ffn1 128x768x3072", 128, 3072, 768},
      {"bert ffn2 128x3072x768", 128, 768, 3072},
  };
  std::mt19937 rng(7);
  std::printf("%-28s %-36s %10s %10s %8s\n", "shape (MxKxN)", "kernel", "ms", "GOPS", "f32/int8");
  for (const Shape& s : shapes) {
    if (!filter.empty() && std::string(s.what).find(filter) == std::string::npos) continue;
    std::vector<float> Af(size_t(s.M * s.K)), Bf(size_t(s.K * s.N)), Cf(size_t(s.M * s.N));
    std::vector<uint8_t> A(size_t(s.M * s.K));
    std::vector<int8_t> B(size_t(s.K * s.N));
    for (auto& v : Af) v = std::uniform_real_distribution<float>(-1, 1)(rng);
    for (auto& v : Bf) v = std::uniform_real_distribution<float>(-1, 1)(rng);
    for (auto& v : A) v = uint8_t(rng() & 255);
    for (auto& v : B) v = int8_t(rng() & 255);
    std::vector<int8_t> B7(B.size());
    for (size_t i = 0; i < B.size(); ++i) B7[i] = int8_t(B[i] / 2);  // [-64, 63]
    std::vector<float> pbf(f32.packed_b_size(s.K, s.N));
    f32.pack_b(s.K, s.N, Bf.data(), s.N, false, pbf.data());
    std::vector<Int8Run> runs;
    for (const K::U8S8GemmKernels* k : entries) {
      const bool narrow = std::find_if(entries.begin(), entries.end(), [&](const K::U8S8GemmKernels* e) {
                            return e->narrow && &e->narrow() == k;
                          }) != entries.end();
      runs.emplace_back(*k, s, narrow ? B7 : B);
    }
    // Repeats alternate: f32, then each int8 entry with int32 and with uint8 output.
    std::vector<double> tf;
    std::vector<std::vector<double>> t32(runs.size()), t8(runs.size());
    double spent = 0;
    for (int rep = 0; rep < 3 || spent < min_seconds; ++rep) {
      const double t0 = cpu_now();
      f32.gemm_packed(s.M, s.N, s.K, Af.data(), s.K, false, pbf.data(), Cf.data(), s.N, 1.0f, 0.0f, K::GemmEpilogue{});
      tf.push_back(cpu_now() - t0);
      for (size_t i = 0; i < runs.size(); ++i) {
        t32[i].push_back(runs[i].run(s, A, false));
        t8[i].push_back(runs[i].run(s, A, true));
      }
      spent = 0;
      for (double t : tf) spent += t;
      if (rep > 200) break;
    }
    const double ops = 2.0 * double(s.M) * double(s.N) * double(s.K);
    char shape[64];
    std::snprintf(shape, sizeof shape, "%s", s.what);
    const double f32_ms = median(tf) * 1e3;
    std::printf("%-28s %-36s %10.3f %10.1f %8s\n", shape, f32.name, f32_ms, ops / median(tf) * 1e-9, "1.00");
    for (size_t i = 0; i < runs.size(); ++i) {
      for (int requant = 0; requant < 2; ++requant) {
        const double t = median(requant ? t8[i] : t32[i]);
        const std::string name = std::string(runs[i].k->name) + (requant ? " ->u8" : " ->s32");
        std::printf("%-28s %-36s %10.3f %10.1f %8.2f\n", shape, name.c_str(), t * 1e3, ops / t * 1e-9, median(tf) / t);
      }
    }
    std::fflush(stdout);
  }
  std::printf("load average after: %s\n", loadavg().c_str());
  return 0;
}
