// Every int8 depthwise entry (generic; AVX2 and native AVX-512BW when this CPU has them; the
// AVX-512BW entry via SIMDe always) against a plain int64 loop over the taps: odd sizes
// (widths around the vector lengths 8 and 16), strides 1-3, dilations, asymmetric padding,
// kernels 1x1 to 5x5 and rectangular ones, shifted weights over their whole range [-255, 255],
// extreme inputs (all 0 / all 255), biases that make the int32 sum wrap, and the three outputs
// (int32 sums, uint8 / int8 requantization). Random inputs from test::rng() (seed printed by main).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/cpu_features.h"
#include "kernels/dispatch/u8s8_dwconv.h"
#include "test_util.h"

namespace ember::test {
namespace {

using kernels::QuantOut;
using kernels::U8S8DwConvKernels;
using kernels::U8S8DwShape;

std::vector<const U8S8DwConvKernels*> entries() {
  std::vector<const U8S8DwConvKernels*> ks{&kernels::u8s8_dwconv_generic_kernels()};
#if EMBER_HAVE_X86_KERNELS
  const uint32_t f = kernels::cpu_features();
  if (f & kernels::kCpuAvx2) ks.push_back(&kernels::avx2::u8s8_dwconv_kernels());
  const uint32_t bw = kernels::kCpuAvx512f | kernels::kCpuAvx512bw;
  if ((f & bw) == bw) ks.push_back(&kernels::avx512::u8s8_dwconv_kernels());
#endif
#ifdef EMBER_TEST_AVX512_SIMDE
  ks.push_back(&kernels::avx512_simde::u8s8_dwconv_kernels());
#endif
  return ks;
}

// The int32 sums (wrapped) by the definition in kernels/dispatch/u8s8_dwconv.h.
std::vector<int32_t> reference(const U8S8DwShape& s, const std::vector<uint8_t>& x, int32_t xz,
                               const std::vector<int32_t>& w, int32_t bias) {
  std::vector<int32_t> y(size_t(s.OH * s.OW));
  for (int64_t oy = 0; oy < s.OH; ++oy)
    for (int64_t ox = 0; ox < s.OW; ++ox) {
      int64_t acc = bias;
      for (int64_t ky = 0; ky < s.kh; ++ky)
        for (int64_t kx = 0; kx < s.kw; ++kx) {
          const int64_t iy = oy * s.stride_h - s.pad_top + ky * s.dil_h;
          const int64_t ix = ox * s.stride_w - s.pad_left + kx * s.dil_w;
          if (iy >= 0 && iy < s.H && ix >= 0 && ix < s.W)
            acc += (int64_t(x[size_t(iy * s.W + ix)]) - xz) * w[size_t(ky * s.kw + kx)];
        }
      y[size_t(oy * s.OW + ox)] = int32_t(uint32_t(uint64_t(acc)));
    }
  return y;
}

struct Case {
  int64_t H, W, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr;
};

U8S8DwShape shape_of(const Case& c) {
  U8S8DwShape s;
  s.H = c.H, s.W = c.W, s.kh = c.kh, s.kw = c.kw, s.stride_h = c.sh, s.stride_w = c.sw, s.dil_h = c.dh;
  s.dil_w = c.dw, s.pad_top = c.pt, s.pad_left = c.pl;
  s.OH = (c.H + c.pt + c.pb - ((c.kh - 1) * c.dh + 1)) / c.sh + 1;
  s.OW = (c.W + c.pl + c.pr - ((c.kw - 1) * c.dw + 1)) / c.sw + 1;
  return s;
}

enum class Fill { Random, Zeros, Max };

}  // namespace

TEST_CASE("u8s8 depthwise entries vs an int64 loop: sizes, strides, dilations, padding, outputs") {
  const Case cases[] = {
      {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},      {7, 9, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
      {17, 17, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},    {16, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
      {15, 63, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},    {12, 40, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2},
      {13, 29, 5, 5, 2, 2, 1, 1, 2, 2, 2, 2},    {9, 23, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2},
      {11, 31, 3, 2, 3, 3, 1, 2, 1, 0, 2, 1},    {8, 129, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},
      {10, 47, 4, 3, 1, 2, 1, 1, 0, 1, 3, 1},    {5, 6, 3, 3, 1, 1, 1, 1, 3, 3, 3, 3},
      {28, 28, 3, 3, 2, 2, 1, 1, 0, 0, 1, 1},    {6, 17, 7, 1, 1, 1, 1, 1, 3, 0, 3, 0},
      {13, 20, 11, 11, 1, 1, 1, 1, 5, 5, 5, 5},  // 66 tap pairs: the x86 entries hand it to the generic loops
      {9, 70, 3, 3, 1, 4, 1, 1, 1, 1, 1, 1},
      {6, 6, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0},      // a 2x2 output plane: its row tails must stay inside it
      {7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},
  };
  for (const U8S8DwConvKernels* k : entries()) {
    for (const Case& c : cases) {
      const U8S8DwShape s = shape_of(c);
      for (Fill fill : {Fill::Random, Fill::Zeros, Fill::Max}) {
        CAPTURE(k->name);
        CAPTURE(dims_str({c.H, c.W, c.kh, c.kw, c.sh, c.sw, c.dh, c.dw, c.pt, c.pl, c.pb, c.pr}));
        CAPTURE(int(fill));
        std::uniform_int_distribution<int> byte(0, 255), wd(-255, 255);
        std::vector<uint8_t> x(size_t(s.H * s.W));
        for (uint8_t& v : x) v = fill == Fill::Random ? uint8_t(byte(rng())) : fill == Fill::Zeros ? 0 : 255;
        std::vector<int32_t> w(size_t(s.kh * s.kw));
        for (int32_t& v : w) v = fill == Fill::Random ? wd(rng()) : (byte(rng()) & 1 ? 255 : -255);
        const int32_t xz = fill == Fill::Max ? 0 : byte(rng());
        // A bias near the int32 limits in the extreme fills: the sum wraps there.
        const int32_t bias = fill == Fill::Random ? int32_t(wd(rng())) * 1000 : fill == Fill::Max ? 2147483000 : -2147483000;
        const std::vector<int32_t> want = reference(s, x, xz, w, bias);

        std::vector<uint64_t> scratch(k->scratch_bytes(s) / 8 + 16);
        void* aligned = reinterpret_cast<void*>((reinterpret_cast<uintptr_t>(scratch.data()) + 63) & ~uintptr_t(63));
        std::vector<int32_t> got(want.size());
        kernels::U8S8DwOut o;
        o.y = got.data();
        k->plane(s, x.data(), xz, w.data(), bias, o, aligned);
        CHECK(got == want);

        std::vector<float> mult(size_t(s.OW + kernels::kDwRowSlack), fill == Fill::Random ? 1.0f / 2000.0f : 3e-8f);
        for (QuantOut out : {QuantOut::UInt8, QuantOut::Int8}) {
          const bool u = out == QuantOut::UInt8;
          std::vector<uint8_t> q(want.size() + 64, 0xA5);  // bytes past the plane must stay untouched
          o.out = out;
          o.y = q.data();
          o.row_mult = mult.data();
          o.y_zero_point = u ? 131 : -7;
          k->plane(s, x.data(), xz, w.data(), bias, o, aligned);
          size_t bad = 0;
          for (size_t i = 0; i < want.size(); ++i) {
            const double v = std::nearbyint(double(want[i]) * double(mult[0])) + o.y_zero_point;
            const double e = std::min(u ? 255.0 : 127.0, std::max(u ? 0.0 : -128.0, v));
            const int got_i = u ? int(q[i]) : int(int8_t(q[i]));
            bad += got_i != int(e);
          }
          CHECK(bad == 0);
          CHECK(std::all_of(q.begin() + long(want.size()), q.end(), [](uint8_t b) { return b == 0xA5; }));
        }
      }
    }
  }
}

}  // namespace ember::test
