// Sparse x dense (kernels/dispatch/f32_spmm.h) against the dense f32 GEMM of the kernel table,
// one thread, on layers pruned to 50 / 70 / 80 / 90 / 95% unstructured sparsity (magnitude pruning of
// random weights leaves random positions, which these are).
//
//  - 1x1 Conv (NCHW), ResNet-50 shapes: dense = gemm_packed_a (W [Cout, Cin] packed once,
//    outside the timing; X [Cin, H*W] packed per call, as the native Conv does) vs spmm on the
//    CSR of W.
//  - MatMul X[M, K] W[K, N]: dense = gemm_packed (W packed once) vs spmm on the CSR of W^T,
//    with the two transposes the sparse MatMul needs (X -> X^T, Y^T -> Y) inside the timing.
//
// Medians of thread CPU time over repeats (at least --min-seconds per measurement); dense and
// sparse alternate inside each repeat so a burst of load from other processes hits both.
//
//   ember_spmm_bench [--min-seconds S] [--filter TEXT]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <time.h>

#include "kernels/dispatch/f32_spmm.h"
#include "kernels/dispatch/f32_transpose.h"
#include "kernels/dispatch/kernel_table.h"
#include "kernels/generic/spmm.h"
#include "bench_clock.h"

namespace {

using ember::bench::cpu_now;
using ember::bench::median;

using namespace ember::kernels;

struct Shape {
  const char* what;
  bool matmul;        // false: 1x1 conv
  int64_t rows, K, P;  // conv: Cout, Cin, H*W; matmul: N, K, M
};

std::vector<float> random_vec(size_t n, std::mt19937& g) {
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

// Times f and g alternately until both have run for min_s; returns their medians in ms.
template <class F, class G>
std::pair<double, double> time_pair(F f, G g, double min_s) {
  std::vector<double> tf, tg;
  double total = 0.0;
  f();
  g();  // warm-up
  while (total < 2.0 * min_s || tf.size() < 5) {
    double t0 = cpu_now();
    f();
    const double a = cpu_now() - t0;
    t0 = cpu_now();
    g();
    const double b = cpu_now() - t0;
    tf.push_back(a);
    tg.push_back(b);
    total += a + b;
  }
  return {1e3 * median(tf), 1e3 * median(tg)};
}

// The transposes the sparse MatMul kernel runs (kernels/dispatch/f32_transpose.h).
void transpose(int64_t rows, int64_t cols, const float* src, float* dst) {
  f32_transpose().fn(rows, cols, src, cols, dst, rows);
}

void run(const Shape& s, double sparsity, double min_s) {
  std::mt19937 g(42);
  const F32GemmKernels& dk = *kernel_table().f32_gemm;
  const F32SpmmKernels& sk = f32_spmm_kernels();
  auto w = random_vec(size_t(s.rows * s.K), g);  // conv: [Cout, Cin]; matmul: [K, N]
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (auto& x : w) if (u(g) < sparsity) x = 0.0f;
  const auto x = random_vec(size_t(s.K * s.P), g);
  std::vector<float> y(size_t(s.rows * s.P)), ys(y.size()), xt(x.size());
  GemmEpilogue ep;
  std::pair<double, double> t;
  if (!s.matmul) {
    std::vector<float> pa(dk.packed_a_size(s.rows, s.K));
    dk.pack_a(s.rows, s.K, w.data(), s.K, false, pa.data());
    const CsrStorage csr = csr_from_dense(s.rows, s.K, w.data(), s.K, false);
    t = time_pair([&] { dk.gemm_packed_a(s.rows, s.P, s.K, pa.data(), x.data(), s.P, false, y.data(), s.P, 1.0f, 0.0f, ep); },
                  [&] { sk.spmm(csr.view(), 0, s.rows, s.P, x.data(), s.P, nullptr, ys.data(), s.P); }, min_s);
  } else {
    const int64_t M = s.P, N = s.rows, K = s.K;
    std::vector<float> pb(dk.packed_b_size(K, N));
    dk.pack_b(K, N, w.data(), N, false, pb.data());
    const CsrStorage csr = csr_from_dense(N, K, w.data(), N, true);
    std::vector<float> yt(ys.size());
    t = time_pair([&] { dk.gemm_packed(M, N, K, x.data(), K, false, pb.data(), y.data(), N, 1.0f, 0.0f, ep); },
                  [&] {
                    transpose(M, K, x.data(), xt.data());
                    sk.spmm(csr.view(), 0, N, M, xt.data(), M, nullptr, yt.data(), M);
                    transpose(N, M, yt.data(), ys.data());
                  },
                  min_s);
  }
  double max_err = 0.0;
  for (size_t i = 0; i < y.size(); ++i) max_err = std::max(max_err, double(std::fabs(y[i] - ys[i])));
  std::printf("%-34s %4.0f%%  dense %8.3f ms  sparse %8.3f ms  speed-up %5.2fx  (max |diff| %.1e)\n", s.what,
              100.0 * sparsity, t.first, t.second, t.first / t.second, max_err);
}

}  // namespace

int main(int argc, char** argv) {
  double min_s = 0.3;
  std::string filter;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--min-seconds") && i + 1 < argc) min_s = std::atof(argv[++i]);
    else if (!std::strcmp(argv[i], "--filter") && i + 1 < argc) filter = argv[++i];
    else {
      std::fprintf(stderr, "usage: ember_spmm_bench [--min-seconds S] [--filter TEXT]\n");
      return 2;
    }
  }
  std::ifstream la("/proc/loadavg");
  std::string load;
  std::getline(la, load);
  std::printf("dense: %s   sparse: %s   transpose: %s   load average: %s\n", kernel_table().f32_gemm->name,
              f32_spmm_kernels().name, f32_transpose().name, load.c_str());
  const Shape shapes[] = {
      {"conv1x1 Cout=256 Cin=64 HW=56x56", false, 256, 64, 3136},
      {"conv1x1 Cout=128 Cin=512 HW=28x28", false, 128, 512, 784},
      {"conv1x1 Cout=1024 Cin=256 HW=14x14", false, 1024, 256, 196},
      {"conv1x1 Cout=512 Cin=2048 HW=7x7", false, 512, 2048, 49},
      {"matmul M=128 K=768 N=3072", true, 3072, 768, 128},
      {"matmul M=128 K=3072 N=768", true, 768, 3072, 128},
      {"matmul M=16 K=768 N=768", true, 768, 768, 16},
  };
  for (const Shape& s : shapes) {
    if (!filter.empty() && std::string(s.what).find(filter) == std::string::npos) continue;
    for (double sp : {0.5, 0.7, 0.8, 0.9, 0.95}) run(s, sp, min_s);
  }
  return 0;
}
