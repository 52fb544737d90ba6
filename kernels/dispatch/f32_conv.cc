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
