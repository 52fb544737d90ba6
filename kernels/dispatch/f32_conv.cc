#include "kernels/dispatch/f32_conv.h"

#include <algorithm>

#include "kernels/cpu_features.h"

namespace ember::kernels {

F32DwConv2dFn F32DwConvKernels::pick(int64_t kh, int64_t kw) const {
  if (kh == 3 && kw == 3) return dwconv_3x3;
  if (kh == 5 && kw == 5) return dwconv_5x5;
  return dwconv_any;
}

const char* F32DwConvKernels::name_for(int64_t kh, int64_t kw) const {
  if (kh == 3 && kw == 3) return name_3x3;
  if (kh == 5 && kw == 5) return name_5x5;
  return name_any;
}

DwPlane dw_plane(const DwConv2dGeom& g) {
  DwPlane p;
  // Padded extents the output actually reads.
  const int64_t cols = (g.out_w - 1) * g.stride_w + (g.kernel_w - 1) * g.dilation_w + 1;
  p.rows = std::max<int64_t>(0, (g.out_h - 1) * g.stride_h + (g.kernel_h - 1) * g.dilation_h + 1);
  p.phases = g.stride_w;
  p.row_len = (std::max<int64_t>(cols, 0) + g.stride_w - 1) / g.stride_w + kDwSlack;
  return p;
}

void dw_fill_plane(const DwConv2dGeom& g, const float* x, float* plane) {
  const DwPlane p = dw_plane(g);
  const int64_t s = p.phases;
  for (int64_t r = 0; r < p.rows; ++r) {
    const int64_t iy = r - g.pad_top;
    float* out = plane + r * s * p.row_len;
    if (iy < 0 || iy >= g.in_h) {
      std::fill(out, out + s * p.row_len, 0.0f);
      continue;
    }
    const float* in = x + iy * g.in_w;
    for (int64_t ph = 0; ph < s; ++ph) {
      // Phase index i reads input column i*s + ph - pad_left: inside the row for i in [lo, hi).
      float* o = out + ph * p.row_len;
      const int64_t len = p.row_len - kDwSlack;
      const int64_t lo = std::clamp<int64_t>((g.pad_left - ph + s - 1) / s, 0, len);
      const int64_t hi = std::clamp<int64_t>((g.in_w + g.pad_left - ph + s - 1) / s, lo, len);
      std::fill(o, o + lo, 0.0f);
      const float* src = in + lo * s + ph - g.pad_left;
      if (s == 1) std::copy(src, src + (hi - lo), o + lo);
      else for (int64_t i = lo; i < hi; ++i, src += s) o[i] = *src;
      std::fill(o + hi, o + p.row_len, 0.0f);
    }
  }
}

size_t dw_block_scratch(const DwConv2dGeom& g) {
  const DwPlane p = dw_plane(g);
  const int64_t cols = (g.out_w - 1) * g.stride_w + (g.kernel_w - 1) * g.dilation_w + 1;
  // + slack: the last pixels of a row block read up to 7 strides past the last column.
  const size_t block = size_t((std::max<int64_t>(p.rows * cols, 0) + 7 * g.stride_w + 1) * kDwBlock);
  return std::max(p.size(), block);
}

bool dw_flat_fits(const DwConv2dGeom& g) {
  if (g.kernel_h * g.kernel_w > kDwFlatMaxTaps || g.stride_h != g.stride_w || g.out_h <= 0 || g.out_w <= 0) return false;
  if (g.stride_w == 1) return g.out_w == g.in_w;
  return g.stride_w == 2 && (g.in_w + 1) / 2 <= g.out_w;
}

int64_t dw_flat_mask_bytes(const DwConv2dGeom& g) { return (g.out_h * g.out_w + 15) / 16 * 2; }

int64_t dw_flat_plane_floats(const DwConv2dGeom& g) {
  return g.stride_h == 2 ? (g.in_h + 1) / 2 * g.out_w : 0;
}

size_t dw_flat_scratch(const DwConv2dGeom& g) {
  const int64_t mask_bytes = g.kernel_h * g.kernel_w * dw_flat_mask_bytes(g);
  return size_t(8 * dw_flat_plane_floats(g) + (mask_bytes + 3) / 4);  // two sets of 4 phases
}

namespace {

// Sets bits [a, b) of a little-endian bit array.
void set_bits(uint8_t* m, int64_t a, int64_t b) {
  while (a < b) {
    const int lo = int(a & 7), hi = int(std::min<int64_t>(8, lo + (b - a)));
    m[a >> 3] |= uint8_t((0xFFu << lo) & (0xFFu >> (8 - hi)));
    a += hi - lo;
  }
}

}  // namespace

const uint8_t* dw_flat_tables(const DwConv2dGeom& g, float* scratch, int64_t* off) {
  const int64_t s = g.stride_w, ow = g.out_w, plane = dw_flat_plane_floats(g), mb = dw_flat_mask_bytes(g);
  uint8_t* bits = reinterpret_cast<uint8_t*>(scratch + 8 * plane);
  for (int64_t ky = 0, t = 0; ky < g.kernel_h; ++ky)
    for (int64_t kx = 0; kx < g.kernel_w; ++kx, ++t) {
      // Input row s*oy + ry of output row oy: phase a = ry mod s, phase row oy + dy (floor
      // division; s is 1 or 2); likewise the columns.
      const int64_t ry = ky * g.dilation_h - g.pad_top, rx = kx * g.dilation_w - g.pad_left;
      const int64_t a = s == 2 ? (ry & 1) : 0, b = s == 2 ? (rx & 1) : 0;
      const int64_t dy = s == 2 ? (ry >> 1) : ry, dx = s == 2 ? (rx >> 1) : rx;
      const int64_t rows = (g.in_h - a + s - 1) / s, cols = (g.in_w - b + s - 1) / s;
      off[t] = (a * 2 + b) * plane + dy * ow + dx;
      uint8_t* m = bits + t * mb;
      std::fill(m, m + mb, uint8_t(0));
      const int64_t lo = std::max<int64_t>(0, -dx), hi = std::min(ow, cols - dx);
      if (lo >= hi) continue;
      for (int64_t oy = std::max<int64_t>(0, -dy); oy < std::min(g.out_h, rows - dy); ++oy)
        set_bits(m, oy * ow + lo, oy * ow + hi);
    }
  return bits;
}

F32DwConvKernels make_f32_dwconv_kernels(uint32_t f, Isa cap) {
  F32DwConvKernels t = f32_dwconv_generic_kernels();
  // An entry without its own channel-blocked form keeps the best lower level's.
  auto take = [&](const F32DwConvKernels& e) {
    const F32DwConvKernels lower = t;
    t = e;
    if (!t.dwconv_block) {
      t.dwconv_block = lower.dwconv_block;
      t.name_block = lower.name_block;
    }
    if (!t.dwconv_flat) {
      t.dwconv_flat = lower.dwconv_flat;
      t.name_flat = lower.name_flat;
      t.prefers_flat = lower.prefers_flat;
    }
  };
#if EMBER_HAVE_X86_KERNELS
  const uint32_t avx2 = kCpuAvx2 | kCpuFma;
  if (cap >= Isa::Avx2 && (f & avx2) == avx2) take(avx2::f32_dwconv_kernels());
  if (cap >= Isa::Avx512 && (f & kCpuAvx512f)) take(avx512::f32_dwconv_kernels());
#endif
  return t;
}

const F32DwConvKernels& f32_dwconv_kernels() {
  static const F32DwConvKernels table = make_f32_dwconv_kernels(cpu_features(), isa_cap_from_env());
  return table;
}

}  // namespace ember::kernels
