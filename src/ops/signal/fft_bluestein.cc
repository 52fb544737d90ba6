// Bluestein's algorithm for PlanF32: a length-n DFT as a cyclic convolution of length n2 >= 2n-1
// (a product of 2, 3, 5, 7, 11), done with two Cooley-Tukey FFTs of length n2. numpy's float32
// FFT switches to it for lengths >= 50 with a large prime factor when its cost estimate says so;
// we make the same choice so that both give the same rounding.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include "ops/signal/fft_f32.h"

namespace ember::ops::fft {
namespace {

int64_t largest_prime_factor(int64_t n) {
  int64_t best = 1;
  for (int64_t d = 2; d * d <= n; ++d)
    while (n % d == 0) best = d, n /= d;
  return n > 1 ? n : best;
}

// Estimated cost of the Cooley-Tukey plan: sum of the factors (larger ones penalised) times n.
double cost_guess(int64_t n) {
  const int64_t n0 = n;
  double cost = 0;
  while (n % 4 == 0) cost += 2, n /= 4;
  while (n % 2 == 0) cost += 2, n /= 2;
  for (int64_t d = 3; d * d <= n; d += 2)
    while (n % d == 0) cost += d <= 5 ? double(d) : 1.1 * double(d), n /= d;
  if (n > 1) cost += n <= 5 ? double(n) : 1.1 * double(n);
  return cost * double(n0);
}

// The smallest m >= n whose prime factors are all in {2, 3, 5, 7, 11}.
int64_t good_size(int64_t n) {
  for (int64_t m = n;; ++m) {
    int64_t r = m;
    for (int64_t p : {2, 3, 5, 7, 11})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

}  // namespace

struct PlanF32::Bluestein {
  int64_t n2;
  PlanF32 plan;
  std::vector<Cf> bk;   // exp(pi i m^2 / n), m < n
  std::vector<Cf> bkf;  // forward FFT of the zero-padded, symmetric bk / n2
  explicit Bluestein(int64_t n) : n2(good_size(2 * n - 1)), plan(n2), bk(size_t(n)), bkf(size_t(n2)) {
    int64_t coeff = 0;  // m^2 mod 2n, updated incrementally
    bk[0] = {1, 0};
    for (int64_t m = 1; m < n; ++m) {
      coeff += 2 * m - 1;
      if (coeff >= 2 * n) coeff -= 2 * n;
      bk[size_t(m)] = unit_root(coeff, 2 * n);
    }
    const float inv = 1.0f / float(n2);
    for (auto& v : bkf) v = {0, 0};
    bkf[0] = {bk[0].r * inv, bk[0].i * inv};
    for (int64_t m = 1; m < n; ++m) bkf[size_t(m)] = bkf[size_t(n2 - m)] = {bk[size_t(m)].r * inv, bk[size_t(m)].i * inv};
    plan.exec(bkf.data(), true, 1.0f);
    // The transform is symmetric in exact arithmetic; use one rounding for both halves.
    for (int64_t m = 1; m < (n2 + 1) / 2; ++m) bkf[size_t(n2 - m)] = bkf[size_t(m)];
  }
  void exec(Cf* c, int64_t n, bool fwd, float fct) const {
    std::vector<Cf> a(size_t(n2), Cf{0, 0});
    for (int64_t m = 0; m < n; ++m) a[size_t(m)] = twiddle(c[m], bk[size_t(m)], fwd);
    plan.exec(a.data(), true, 1.0f);
    for (int64_t m = 0; m < n2; ++m) a[size_t(m)] = twiddle(a[size_t(m)], bkf[size_t(m)], !fwd);
    plan.exec(a.data(), false, 1.0f);
    for (int64_t m = 0; m < n; ++m) {
      const Cf v = twiddle(a[size_t(m)], bk[size_t(m)], fwd);
      c[m] = {v.r * fct, v.i * fct};
    }
  }
};

void PlanF32::init_bluestein() {
  if (n_ < 50) return;
  const int64_t lpf = largest_prime_factor(n_);
  if (lpf * lpf <= n_) return;
  const double ct = cost_guess(n_), blue = 2 * cost_guess(good_size(2 * n_ - 1)) * 1.5;
  if (blue < ct) blue_ = std::make_shared<const Bluestein>(n_);
}

void PlanF32::exec(Cf* c, bool forward, float fct) const {
  if (blue_) blue_->exec(c, n_, forward, fct);
  else exec_ct(c, forward, fct);
}

}  // namespace ember::ops::fft
