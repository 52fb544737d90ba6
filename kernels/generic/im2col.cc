#include "kernels/generic/im2col.h"

#include <algorithm>

namespace ember::kernels {

int64_t ConvGeom::in_size() const {
  int64_t n = 1;
  for (int d = 0; d < nd; ++d) n *= in[d];
  return n;
}
int64_t ConvGeom::out_size() const {
  int64_t n = 1;
  for (int d = 0; d < nd; ++d) n *= out[d];
  return n;
}
int64_t ConvGeom::kernel_size() const {
  int64_t n = 1;
  for (int d = 0; d < nd; ++d) n *= kernel[d];
  return n;
}
bool ConvGeom::is_pointwise() const {
  for (int d = 0; d < nd; ++d)
    if (kernel[d] != 1 || stride[d] != 1 || pad[d] != 0 || in[d] != out[d]) return false;
  return true;
}

namespace {

// Walks output positions [s0, s1) for one kernel tap in runs along the last dimension and
// calls fn(dst_index, src_index_or_-1) per element; the outer-dimension bounds check is done
// once per run, which keeps the innermost loop short.
template <class Fn>
void walk_tap(const ConvGeom& g, const int64_t* off, int64_t s0, int64_t s1, Fn&& fn) {
  const int L = g.nd - 1;
  int64_t o[kMaxConvDims];
  int64_t rem = s0;
  for (int d = L; d >= 0; --d) {
    o[d] = rem % g.out[d];
    rem /= g.out[d];
  }
  int64_t pos = 0;  // index relative to s0
  const int64_t total = s1 - s0;
  while (pos < total) {
    const int64_t run = std::min(g.out[L] - o[L], total - pos);
    bool valid = true;
    int64_t base = 0;
    for (int d = 0; d < L; ++d) {
      const int64_t i = o[d] * g.stride[d] + off[d];
      if (i < 0 || i >= g.in[d]) valid = false;
      base = base * g.in[d] + i;
    }
    base *= g.in[L];
    for (int64_t j = 0; j < run; ++j) {
      const int64_t iw = (o[L] + j) * g.stride[L] + off[L];
      fn(pos + j, valid && iw >= 0 && iw < g.in[L] ? base + iw : -1);
    }
    pos += run;
    o[L] += run;
    for (int d = L; d > 0 && o[d] == g.out[d]; --d) {
      o[d] = 0;
      ++o[d - 1];
    }
  }
}

// Offsets (kernel position * dilation - pad) of tap `k` (row-major over the kernel dims).
void tap_offsets(const ConvGeom& g, int64_t k, int64_t* off) {
  for (int d = g.nd - 1; d >= 0; --d) {
    off[d] = (k % g.kernel[d]) * g.dilation[d] - g.pad[d];
    k /= g.kernel[d];
  }
}

}  // namespace

template <class T>
void im2col(const T* img, int64_t channels, const ConvGeom& g, int64_t s0, int64_t s1, T* col, T pad) {
  const int64_t ks = g.kernel_size(), in_sz = g.in_size(), len = s1 - s0;
  int64_t off[kMaxConvDims];
  for (int64_t k = 0; k < ks; ++k) {
    tap_offsets(g, k, off);
    for (int64_t c = 0; c < channels; ++c) {
      const T* src = img + c * in_sz;
      T* dst = col + (c * ks + k) * len;
      walk_tap(g, off, s0, s1, [&](int64_t j, int64_t i) { dst[j] = i < 0 ? pad : src[i]; });
    }
  }
}

template <class T>
void col2im_add(const T* col, int64_t c0, int64_t c1, const ConvGeom& g, T* img) {
  const int64_t ks = g.kernel_size(), in_sz = g.in_size(), len = g.out_size();
  int64_t off[kMaxConvDims];
  for (int64_t k = 0; k < ks; ++k) {
    tap_offsets(g, k, off);
    for (int64_t c = c0; c < c1; ++c) {
      T* dst = img + c * in_sz;
      const T* src = col + (c * ks + k) * len;
      walk_tap(g, off, 0, len, [&](int64_t j, int64_t i) {
        if (i >= 0) dst[i] += src[j];
      });
    }
  }
}

template void im2col<float>(const float*, int64_t, const ConvGeom&, int64_t, int64_t, float*, float);
template void im2col<double>(const double*, int64_t, const ConvGeom&, int64_t, int64_t, double*, double);
template void im2col<uint8_t>(const uint8_t*, int64_t, const ConvGeom&, int64_t, int64_t, uint8_t*, uint8_t);
template void col2im_add<float>(const float*, int64_t, int64_t, const ConvGeom&, float*);
template void col2im_add<double>(const double*, int64_t, int64_t, const ConvGeom&, double*);

}  // namespace ember::kernels
