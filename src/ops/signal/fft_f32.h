// A mixed-radix Cooley-Tukey FFT computed in float arithmetic, for the float32 inverse DFT.
// Why float and why this exact shape: numpy 2.x computes ifft of complex64 in single precision
// (pocketfft), and the ONNX conformance data is that result, rounding noise included; an engine
// more accurate than that noise fails the cases whose exact answer is 0 (atol 1e-7). So the plan
// follows the same factorisation (8s first, then 4s, then one 2 moved to the front, then odd
// factors in increasing order), the same butterfly summation order, twiddles computed in higher precision
// and rounded to float, and the same final scaling (one float multiplication by fct). Lengths
// where numpy switches to Bluestein's algorithm are handled the same way (fft_bluestein.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace ember::ops::fft {

struct Cf {
  float r, i;
};

// v * w (backward) or v * conj(w) (forward). Used only by the FFT sources, which are compiled
// with FMA contraction off: its rounding is part of matching numpy bit for bit.
inline Cf twiddle(Cf v, Cf w, bool fwd) {
  return fwd ? Cf{v.r * w.r + v.i * w.i, v.i * w.r - v.r * w.i} : Cf{v.r * w.r - v.i * w.i, v.r * w.i + v.i * w.r};
}

class PlanF32 {
 public:
  explicit PlanF32(int64_t n);
  int64_t size() const { return n_; }
  // In-place transform of c[0..n): forward uses exp(-2 pi i jk / n), backward exp(+...), no
  // normalisation; every output is then multiplied by fct (a float, as numpy does).
  void exec(Cf* c, bool forward, float fct) const;

 private:
  struct Stage {
    int64_t ip, l1, ido;
    std::vector<Cf> tw;     // tw[(j-1)*(ido-1) + i-1] = exp(2 pi i * j*l1*i / n), j < ip, 0 < i < ido
    std::vector<Cf> roots;  // roots[r] = exp(2 pi i * r / ip)
  };
  struct Bluestein;
  void init_bluestein();  // fft_bluestein.cc
  void exec_ct(Cf* c, bool forward, float fct) const;

  int64_t n_;
  std::vector<Stage> stages_;
  std::shared_ptr<const Bluestein> blue_;  // set when numpy would use Bluestein for this length
};

// exp(2 pi i k / n) as (cos, sin), with the angle reduced to the first octant (so 0, +-1 and
// symmetric values come out exact), evaluated in long double; unit_root rounds it to float.
std::pair<long double, long double> unit_root_ld(int64_t k, int64_t n);
Cf unit_root(int64_t k, int64_t n);

}  // namespace ember::ops::fft
