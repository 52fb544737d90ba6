#include "kernels/dispatch/f32_conv_direct.h"

#include <algorithm>

#ifdef __SSE2__
#include <xmmintrin.h>
#endif

#include "kernels/cpu_features.h"

namespace ember::kernels {

namespace {
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Destination floats per pass over a strip's rows (64 KiB, L2-resident): each row is then read
// in runs of 16384 / mr floats, long enough for the hardware prefetcher. The former loop (one
// element per row per column: mr reads in mr rows, 4 KiB pages apart for 3x3 layers, for every
// column) was 23 % of a one-run `ember bench` of the saved ResNet-50 in perf. Packing ResNet-like
// 3x3 and 1x1 weights (33 MB, cold, one core; memcpy of the same bytes 4.4-6.1 ms): that loop
// 19.1-20.7 ms, this one with 64-column passes 9.3-11.7 ms, with 64 KiB passes 7.5-10.2 ms.
constexpr int64_t kPackBlockFloats = 16384;

// Rows [0, rows) of one strip (row r at ws + r*k), columns [i0, i1), into strip[i*mr + r].
void pack_strip_block(const float* ws, int64_t k, int rows, int mr, int64_t i0, int64_t i1, float* strip) {
  int r = 0;
#ifdef __SSE2__
  // Four rows x four columns at a time, transposed in registers (baseline x86-64 has SSE2).
  for (; r + 4 <= rows; r += 4) {
    const float* a = ws + r * k;
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) {
      __m128 x0 = _mm_loadu_ps(a + i), x1 = _mm_loadu_ps(a + k + i);
      __m128 x2 = _mm_loadu_ps(a + 2 * k + i), x3 = _mm_loadu_ps(a + 3 * k + i);
      _MM_TRANSPOSE4_PS(x0, x1, x2, x3);
      float* d = strip + i * mr + r;
      _mm_storeu_ps(d, x0);
      _mm_storeu_ps(d + mr, x1);
      _mm_storeu_ps(d + 2 * mr, x2);
      _mm_storeu_ps(d + 3 * mr, x3);
    }
    for (; i < i1; ++i)
      for (int q = 0; q < 4; ++q) strip[i * mr + r + q] = a[q * k + i];
  }
#endif
  for (; r < rows; ++r)
    for (int64_t i = i0; i < i1; ++i) strip[i * mr + r] = ws[r * k + i];
  for (r = rows; r < mr; ++r)  // the last strip's missing rows
    for (int64_t i = i0; i < i1; ++i) strip[i * mr + r] = 0.0f;
}

}  // namespace

size_t f32_conv_direct_packed_size(int64_t m, int64_t k, int mr) {
  return size_t(ceil_div(m, mr) * mr * k);
}

void f32_conv_direct_pack_weights(int64_t m, int64_t k, const float* w, int mr, float* packed) {
  const int64_t cols = std::max<int64_t>(64, kPackBlockFloats / mr / 4 * 4);
  for (int64_t s = 0; s < ceil_div(m, mr); ++s) {
    const int rows = int(std::min<int64_t>(mr, m - s * mr));
    for (int64_t i0 = 0; i0 < k; i0 += cols)
      pack_strip_block(w + s * mr * k, k, rows, mr, i0, std::min(k, i0 + cols), packed + s * mr * k);
  }
}

ConvPhased conv_phased_layout(const ConvPhasedGeom& g) {
  ConvPhased p;
  // Padded extents the output reads, then one phase plane's share of them.
  const int64_t rows = (g.out_h - 1) * g.stride_h + (g.kernel_h - 1) * g.dilation_h + 1;
  const int64_t cols = (g.out_w - 1) * g.stride_w + (g.kernel_w - 1) * g.dilation_w + 1;
  p.hq = ceil_div(std::max<int64_t>(rows, 1), g.stride_h);
  p.wq = ceil_div(std::max<int64_t>(cols, 1), g.stride_w);
  // Whole cache lines per channel, and not a multiple of 4 KiB: the tile reads one line per
  // channel, which would otherwise all fall into the same L1 set.
  p.cstride = ceil_div(g.stride_h * g.stride_w * p.hq * p.wq, 16) * 16;
  if (p.cstride % 1024 == 0) p.cstride += 16;
  return p;
}

int64_t ConvPhased::size(int64_t channels) const {
  // Garbage columns of the last rows read up to one plane row plus one tile past the plane.
  return channels * cstride + wq + 64;
}

void conv_phased_offsets(const ConvPhasedGeom& g, const ConvPhased& p, int64_t* toff) {
  const int64_t plane = p.hq * p.wq;
  for (int64_t ky = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
      const int64_t ry = ky * g.dilation_h, rx = kx * g.dilation_w;
      const int64_t phase = (ry % g.stride_h) * g.stride_w + rx % g.stride_w;
      toff[ky * g.kernel_w + kx] = phase * plane + (ry / g.stride_h) * p.wq + rx / g.stride_w;
    }
}

namespace {

// Phase pw's columns of one padded row: column q reads input column q*sw + pw - pad_left,
// inside the row for q in [lo, hi).
struct PhaseCols {
  int64_t lo, hi;
};
PhaseCols phase_cols(const ConvPhasedGeom& g, const ConvPhased& p, int64_t pw) {
  const int64_t sw = g.stride_w;
  const int64_t lo = std::clamp<int64_t>(ceil_div(std::max<int64_t>(g.pad_left - pw, 0), sw), 0, p.wq);
  const int64_t hi = std::clamp<int64_t>(ceil_div(std::max<int64_t>(g.in_w + g.pad_left - pw, 0), sw), lo, p.wq);
  return {lo, hi};
}

// Stride 2 across: both column phases of one input row `in` in one pass, the columns both
// phases read ([a, b)) paired so the compiler turns them into vector loads and shuffles. Column
// by column through each phase separately (the general loop below) the MobileNetV2 stem's fill
// (3 x 224 x 224, stride 2) took as long as the stem's convolution (perf of ember bench).
// Only for wide rows: on short ones the vector loop's set-up and the edge loops cost more than
// they save (a throwaway A/B of the two fills, one thread, best of 60: 224-wide stems 0.54x the
// old fill's time, but 56 -> 28 c128 1.14x, 28 -> 14 c256 1.6x, 14 -> 7 c512 2.4x).
constexpr int64_t kPairedMinCols = 64;
struct PairedCols {
  PhaseCols c[2];
  int64_t a, b;
};
PairedCols paired_cols(const ConvPhasedGeom& g, const ConvPhased& p) {
  PairedCols r{{phase_cols(g, p, 0), phase_cols(g, p, 1)}, 0, 0};
  r.a = std::max(r.c[0].lo, r.c[1].lo);
  r.b = std::max(r.a, std::min(r.c[0].hi, r.c[1].hi));
  return r;
}

void fill_row_s2(const ConvPhasedGeom& g, const ConvPhased& p, const PairedCols& pc, const float* in, float* o0,
                 float* o1) {
  float* o[2] = {o0, o1};
  for (int ph = 0; ph < 2; ++ph) {
    const PhaseCols& c = pc.c[ph];
    for (int64_t q = 0; q < c.lo; ++q) o[ph][q] = 0.0f;
    for (int64_t q = c.lo; q < std::min(pc.a, c.hi); ++q) o[ph][q] = in[q * 2 + ph - g.pad_left];
    for (int64_t q = std::max(pc.b, c.lo); q < c.hi; ++q) o[ph][q] = in[q * 2 + ph - g.pad_left];
    for (int64_t q = c.hi; q < p.wq; ++q) o[ph][q] = 0.0f;
  }
  const float* src = in + 2 * pc.a - g.pad_left;
  float* __restrict e = o0 + pc.a;
  float* __restrict d = o1 + pc.a;
  for (int64_t i = 0; i < pc.b - pc.a; ++i) {
    e[i] = src[2 * i];
    d[i] = src[2 * i + 1];
  }
}

}  // namespace

void conv_phased_fill(const ConvPhasedGeom& g, const ConvPhased& p, const float* x, int64_t c0, int64_t c1,
                      int64_t channels, float* xp) {
  const int64_t sh = g.stride_h, sw = g.stride_w, plane = p.hq * p.wq;
  for (int64_t c = c0; c < c1; ++c) {
    const float* in = x + c * g.in_h * g.in_w;
    float* out = xp + c * p.cstride;
    for (int64_t ph = 0; ph < sh; ++ph) {
      if (sw == 2 && p.wq >= kPairedMinCols) {
        const PairedCols pc = paired_cols(g, p);
        float* o = out + ph * 2 * plane;
        for (int64_t r = 0; r < p.hq; ++r, o += p.wq) {
          const int64_t iy = r * sh + ph - g.pad_top;
          if (iy < 0 || iy >= g.in_h) {
            std::fill(o, o + p.wq, 0.0f);
            std::fill(o + plane, o + plane + p.wq, 0.0f);
          } else {
            fill_row_s2(g, p, pc, in + iy * g.in_w, o, o + plane);
          }
        }
        continue;
      }
      for (int64_t pw = 0; pw < sw; ++pw) {
        float* o = out + (ph * sw + pw) * plane;
        const auto [lo, hi] = phase_cols(g, p, pw);
        for (int64_t r = 0; r < p.hq; ++r, o += p.wq) {
          const int64_t iy = r * sh + ph - g.pad_top;
          if (iy < 0 || iy >= g.in_h || lo == hi) {
            std::fill(o, o + p.wq, 0.0f);
            continue;
          }
          std::fill(o, o + lo, 0.0f);
          const float* src = in + iy * g.in_w + lo * sw + pw - g.pad_left;
          if (sw == 1) std::copy(src, src + (hi - lo), o + lo);
          else for (int64_t q = lo; q < hi; ++q, src += sw) o[q] = *src;
          std::fill(o + hi, o + p.wq, 0.0f);
        }
      }
    }
    std::fill(out + sh * sw * plane, out + p.cstride, 0.0f);
  }
  if (c1 == channels) std::fill(xp + channels * p.cstride, xp + p.size(channels), 0.0f);
}

ConvDirectArgs conv_direct_args(const ConvPhasedGeom& g, const ConvPhased& p, int64_t channels, const int64_t* toff,
                                const float* packed_w, int64_t m, float* y) {
  ConvDirectArgs a;
  a.channels = channels;
  a.cstride = p.cstride;
  a.toff = toff;
  a.taps = int(g.kernel_h * g.kernel_w);
  a.w = packed_w;
  a.m = m;
  a.out_h = g.out_h;
  a.out_w = g.out_w;
  a.wq = p.wq;
  a.y = y;
  return a;
}

F32ConvDirectKernels make_f32_conv_direct_kernels(uint32_t f, Isa cap) {
  F32ConvDirectKernels t = f32_conv_direct_generic_kernels();
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) t = avx2::f32_conv_direct_kernels();
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f) && (f & avx2) == avx2) t = avx512::f32_conv_direct_kernels();
#endif
  return t;
}

const F32ConvDirectKernels& f32_conv_direct_kernels() {
  static const F32ConvDirectKernels table = make_f32_conv_direct_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
