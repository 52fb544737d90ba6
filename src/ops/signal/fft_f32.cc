// The Cooley-Tukey part of PlanF32: factorisation, twiddle tables and the radix passes. The
// order of every addition matters here (the results are meant to match numpy's float32 FFT
// bit for bit), so no expression may be regrouped or contracted into an FMA.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#include "ops/signal/fft_f32.h"

#include <cmath>
#include <utility>

namespace ember::ops::fft {
namespace {

inline Cf add(Cf a, Cf b) { return {a.r + b.r, a.i + b.i}; }
inline Cf sub(Cf a, Cf b) { return {a.r - b.r, a.i - b.i}; }
// One pass: in[i + ido*(j + ip*k)] -> out[i + ido*(k + l1*j)], output j > 0 of column i > 0
// multiplied by the stage twiddle for (j, i).
struct Pass {
  int64_t ip, l1, ido;
  const Cf* in;
  Cf* out;
  const Cf* tw;
  bool fwd;
  Cf x(int64_t i, int64_t j, int64_t k) const { return in[i + ido * (j + ip * k)]; }
  void put(int64_t i, int64_t k, int64_t j, Cf v) const {
    out[i + ido * (k + l1 * j)] = i == 0 || j == 0 ? v : twiddle(v, tw[(j - 1) * (ido - 1) + i - 1], fwd);
  }
};

void radix2(const Pass& p) {
  for (int64_t k = 0; k < p.l1; ++k)
    for (int64_t i = 0; i < p.ido; ++i) {
      const Cf a = p.x(i, 0, k), b = p.x(i, 1, k);
      p.put(i, k, 0, add(a, b));
      p.put(i, k, 1, sub(a, b));
    }
}

void radix4(const Pass& p) {
  for (int64_t k = 0; k < p.l1; ++k)
    for (int64_t i = 0; i < p.ido; ++i) {
      const Cf c0 = p.x(i, 0, k), c1 = p.x(i, 1, k), c2 = p.x(i, 2, k), c3 = p.x(i, 3, k);
      const Cf s02 = add(c0, c2), d02 = sub(c0, c2), s13 = add(c1, c3), d = sub(c1, c3);
      const Cf d13 = p.fwd ? Cf{d.i, -d.r} : Cf{-d.i, d.r};  // times -i (forward) or +i
      p.put(i, k, 0, add(s02, s13));
      p.put(i, k, 1, add(d02, d13));
      p.put(i, k, 2, sub(s02, s13));
      p.put(i, k, 3, sub(d02, d13));
    }
}

// Radix 8 as two radix-4 halves: the odd inputs are combined first and rotated by 45 and 135
// degrees (multiplications by sqrt(1/2) after the additions).
void radix8(const Pass& p) {
  const float h = 0.707106781186547524400844362104849f;
  const bool f = p.fwd;
  auto rot90 = [f](Cf a) { return f ? Cf{a.i, -a.r} : Cf{-a.i, a.r}; };
  auto rot45 = [f, h](Cf a) { return f ? Cf{h * (a.r + a.i), h * (a.i - a.r)} : Cf{h * (a.r - a.i), h * (a.i + a.r)}; };
  auto rot135 = [f, h](Cf a) { return f ? Cf{h * (a.i - a.r), h * (-a.r - a.i)} : Cf{h * (-a.r - a.i), h * (a.r - a.i)}; };
  for (int64_t k = 0; k < p.l1; ++k)
    for (int64_t i = 0; i < p.ido; ++i) {
      Cf c[8];
      for (int64_t j = 0; j < 8; ++j) c[j] = p.x(i, j, k);
      const Cf s15 = add(c[1], c[5]), d15 = sub(c[1], c[5]), s37 = add(c[3], c[7]), d37 = rot90(sub(c[3], c[7]));
      const Cf a1 = add(s15, s37), a3 = rot90(sub(s15, s37));
      const Cf a5 = rot45(add(d15, d37)), a7 = rot135(sub(d15, d37));
      const Cf a0 = add(c[0], c[4]), a4 = sub(c[0], c[4]), a2 = add(c[2], c[6]), a6 = rot90(sub(c[2], c[6]));
      const Cf e0 = add(a0, a2), e2 = sub(a0, a2), e1 = add(a4, a6), e3 = sub(a4, a6);
      p.put(i, k, 0, add(e0, a1));
      p.put(i, k, 4, sub(e0, a1));
      p.put(i, k, 2, add(e2, a3));
      p.put(i, k, 6, sub(e2, a3));
      p.put(i, k, 1, add(e1, a5));
      p.put(i, k, 5, sub(e1, a5));
      p.put(i, k, 3, add(e3, a7));
      p.put(i, k, 7, sub(e3, a7));
    }
}

// Odd radix p: pairs (m, p-m) are folded into sums s[m] and differences d[m]; output u and p-u
// come from ca +- cb with ca = x0 + sum cos(2 pi um/p) s[m], cb = i * sum sin(2 pi um/p) d[m].
// The hard-coded radices (3..11) accumulate strictly left to right; the generic one (p >= 13)
// adds the first two terms to x0 and then the rest in pairs.
void radix_odd(const Pass& p, const std::vector<Cf>& roots) {
  const int64_t ip = p.ip, h = (ip - 1) / 2;
  const bool grouped = ip > 11;
  std::vector<Cf> s(size_t(h + 1)), d(size_t(h + 1));
  for (int64_t k = 0; k < p.l1; ++k)
    for (int64_t i = 0; i < p.ido; ++i) {
      const Cf x0 = p.x(i, 0, k);
      Cf y0 = x0;
      for (int64_t m = 1; m <= h; ++m) {
        const Cf a = p.x(i, m, k), b = p.x(i, ip - m, k);
        s[size_t(m)] = add(a, b);
        d[size_t(m)] = sub(a, b);
        y0 = add(y0, s[size_t(m)]);
      }
      p.put(i, k, 0, y0);
      for (int64_t u = 1; u <= h; ++u) {
        auto w = [&](int64_t m) {
          const Cf r = roots[size_t((u * m) % ip)];
          return p.fwd ? Cf{r.r, -r.i} : r;
        };
        float car, cai, cbr, cbi;  // cbr is accumulated negated
        if (!grouped) {
          car = x0.r, cai = x0.i, cbr = 0, cbi = 0;
          for (int64_t m = 1; m <= h; ++m) {
            const Cf c = w(m);
            car = car + c.r * s[size_t(m)].r;
            cai = cai + c.r * s[size_t(m)].i;
            cbi = m == 1 ? c.i * d[1].r : cbi + c.i * d[size_t(m)].r;
            cbr = m == 1 ? c.i * d[1].i : cbr + c.i * d[size_t(m)].i;
          }
        } else {
          const Cf c1 = w(1), c2 = w(2);
          car = x0.r + c1.r * s[1].r + c2.r * s[2].r;
          cai = x0.i + c1.r * s[1].i + c2.r * s[2].i;
          cbi = c1.i * d[1].r + c2.i * d[2].r;
          cbr = c1.i * d[1].i + c2.i * d[2].i;
          int64_t m = 3;
          for (; m + 1 <= h; m += 2) {
            const Cf a = w(m), b = w(m + 1);
            const Cf sa = s[size_t(m)], sb = s[size_t(m + 1)], da = d[size_t(m)], db = d[size_t(m + 1)];
            car = car + (sa.r * a.r + sb.r * b.r);
            cai = cai + (sa.i * a.r + sb.i * b.r);
            cbr = cbr + (da.i * a.i + db.i * b.i);
            cbi = cbi + (da.r * a.i + db.r * b.i);
          }
          if (m == h) {
            const Cf a = w(m);
            car = car + s[size_t(m)].r * a.r;
            cai = cai + s[size_t(m)].i * a.r;
            cbr = cbr + d[size_t(m)].i * a.i;
            cbi = cbi + d[size_t(m)].r * a.i;
          }
        }
        const Cf ca{car, cai}, cb{-cbr, cbi};
        p.put(i, k, u, add(ca, cb));
        p.put(i, k, ip - u, sub(ca, cb));
      }
    }
}

}  // namespace

std::pair<long double, long double> unit_root_ld(int64_t k, int64_t n) {
  k %= n;
  if (k < 0) k += n;
  // The angle is 2 pi * num / den; fold it into [0, pi/4] and remember how to unfold.
  int64_t num = k, den = n;
  bool conj = false, neg_cos = false, swap = false;
  if (2 * num > den) num = den - num, conj = true;             // theta -> 2 pi - theta
  if (4 * num > den) num = den - 2 * num, den *= 2, neg_cos = true;  // theta -> pi - theta
  if (8 * num > den) num = den - 4 * num, den *= 4, swap = true;     // theta -> pi/2 - theta
  const long double a = 2.0L * 3.14159265358979323846264338327950288L * (long double)num / (long double)den;
  long double c = std::cos(a), s = std::sin(a);
  if (swap) std::swap(c, s);
  if (neg_cos) c = -c;
  if (conj) s = -s;
  return {c, s};
}

Cf unit_root(int64_t k, int64_t n) {
  const auto [c, s] = unit_root_ld(k, n);
  return {float(c), float(s)};
}

PlanF32::PlanF32(int64_t n) : n_(n) {
  std::vector<int64_t> f;
  int64_t len = n;
  while (len % 8 == 0) f.push_back(8), len /= 8;
  while (len % 4 == 0) f.push_back(4), len /= 4;
  if (len % 2 == 0) {
    f.push_back(2), len /= 2;
    std::swap(f.front(), f.back());
  }
  for (int64_t d = 3; d * d <= len; d += 2)
    while (len % d == 0) f.push_back(d), len /= d;
  if (len > 1) f.push_back(len);
  int64_t l1 = 1;
  for (int64_t ip : f) {
    Stage st{ip, l1, n / (l1 * ip), {}, {}};
    st.tw.reserve(size_t((ip - 1) * (st.ido - 1)));
    for (int64_t j = 1; j < ip; ++j)
      for (int64_t i = 1; i < st.ido; ++i) st.tw.push_back(unit_root(j * l1 * i, n));
    if (ip % 2 == 1)
      for (int64_t r = 0; r < ip; ++r) st.roots.push_back(unit_root(r, ip));
    stages_.push_back(std::move(st));
    l1 *= ip;
  }
  init_bluestein();
}

void PlanF32::exec_ct(Cf* c, bool forward, float fct) const {
  std::vector<Cf> buf(static_cast<size_t>(n_));
  Cf *p1 = c, *p2 = buf.data();
  for (const Stage& st : stages_) {
    const Pass p{st.ip, st.l1, st.ido, p1, p2, st.tw.data(), forward};
    if (st.ip == 2) radix2(p);
    else if (st.ip == 4) radix4(p);
    else if (st.ip == 8) radix8(p);
    else radix_odd(p, st.roots);
    std::swap(p1, p2);
  }
  for (int64_t i = 0; i < n_; ++i) c[i] = {p1[i].r * fct, p1[i].i * fct};
}

}  // namespace ember::ops::fft
