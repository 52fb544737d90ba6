// int8 depthwise convolution microbenchmark, one thread: the u8s8_dwconv entries (generic, and
// AVX2 / AVX-512BW where the CPU has them) on MobileNetV2's 3x3 depthwise layers (224x224
// input), uint8 requantized output, all channels of one image per call (as QLinearConv runs
// them, minus the thread pool). Entries alternate within each repeat; medians are reported (the
// development machines are shared: the load average is printed).
//
//   ember_int8_dwconv_bench [--min-seconds S]   (default 0.3 s of CPU time per entry and shape)
//
// GOPS = 2 * outputs * 9 / time. Times are thread CPU time (CLOCK_THREAD_CPUTIME_ID).
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
#include "kernels/dispatch/u8s8_dwconv.h"
#include "bench_clock.h"

namespace {

using ember::bench::cpu_now;

namespace K = ember::kernels;

struct Layer {
  int64_t C, H, stride;
};

}  // namespace

int main(int argc, char** argv) {
  double min_seconds = 0.3;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-seconds") && i + 1 < argc) min_seconds = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: ember_int8_dwconv_bench [--min-seconds S]\n");
      return 2;
    }
  }
  std::vector<const K::U8S8DwConvKernels*> ks{&K::u8s8_dwconv_generic_kernels()};
  const uint32_t f = K::cpu_features();
  if (f & K::kCpuAvx2) ks.push_back(&K::avx2::u8s8_dwconv_kernels());
  if ((f & (K::kCpuAvx512f | K::kCpuAvx512bw)) == (K::kCpuAvx512f | K::kCpuAvx512bw))
    ks.push_back(&K::avx512::u8s8_dwconv_kernels());
  std::string load;
  std::getline(std::ifstream("/proc/loadavg"), load);
  std::printf("load: %s\n%-16s", load.c_str(), "layer");
  for (const auto* k : ks) std::printf(" %28s", k->name);
  std::printf("   (ms per image, GOPS)\n");
  const Layer layers[] = {{32, 112, 1}, {96, 112, 2}, {144, 56, 1}, {144, 56, 2}, {192, 28, 1},
                          {192, 28, 2}, {384, 14, 1}, {576, 14, 1}, {576, 14, 2}, {960, 7, 1}};
  std::mt19937 gen(1);
  for (const Layer& l : layers) {
    K::U8S8DwShape s;
    s.H = s.W = l.H;
    s.kh = s.kw = 3;
    s.stride_h = s.stride_w = l.stride;
    s.pad_top = s.pad_left = 1;
    s.OH = s.OW = (l.H + 2 - 3) / l.stride + 1;
    std::vector<uint8_t> x(size_t(l.C * l.H * l.H)), y(size_t(l.C * s.OH * s.OW));
    for (uint8_t& v : x) v = uint8_t(gen());
    std::vector<int32_t> w(size_t(l.C * 9));
    for (int32_t& v : w) v = int32_t(gen() % 255) - 127;
    std::vector<float> mult(size_t(s.OW + K::kDwRowSlack), 1.0f / 3000.0f);
    size_t scratch_bytes = 0;
    for (const auto* k : ks) scratch_bytes = std::max(scratch_bytes, k->scratch_bytes(s));
    std::vector<uint64_t> scratch(scratch_bytes / 8 + 16);
    void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
    std::vector<std::vector<double>> times(ks.size());
    const auto image = [&](const K::U8S8DwConvKernels* k) {
      for (int64_t c = 0; c < l.C; ++c) {
        K::U8S8DwOut o;
        o.out = K::QuantOut::UInt8;
        o.y = y.data() + c * s.OH * s.OW;
        o.row_mult = mult.data();
        o.y_zero_point = 128;
        k->plane(s, x.data() + c * l.H * l.H, 117, w.data() + c * 9, 1000, o, aligned);
      }
    };
    double spent = 0;
    for (int rep = 0; rep < 3 || spent < min_seconds * double(ks.size()); ++rep)
      for (size_t i = 0; i < ks.size(); ++i) {
        const double t0 = cpu_now();
        image(ks[i]);
        const double t = cpu_now() - t0;
        times[i].push_back(t);
        spent += t;
      }
    char name[64];
    std::snprintf(name, sizeof name, "%ldx%ldx%ld s%ld", long(l.C), long(l.H), long(l.H), long(l.stride));
    std::printf("%-16s", name);
    const double ops = 2.0 * double(l.C * s.OH * s.OW) * 9;
    for (auto& t : times) {
      std::nth_element(t.begin(), t.begin() + long(t.size() / 2), t.end());
      const double med = t[t.size() / 2];
      std::printf(" %18.3f ms %6.1f", med * 1e3, ops / med * 1e-9);
    }
    std::printf("\n");
  }
  return 0;
}
