#include "kernels/generic/dwconv.h"

namespace ember::kernels {

void f32_dwconv2d_generic(const DwConv2dGeom& g, const float* x, const float* w, const DwEpilogue& ep, float* y,
                          float* scratch) {
  const DwPlane p = dw_plane(g);
  dw_fill_plane(g, x, scratch);
  const int64_t row_stride = p.phases * p.row_len;
  for (int64_t oy = 0; oy < g.out_h; ++oy) {
    float* out = y + oy * g.out_w;
    for (int64_t ox = 0; ox < g.out_w; ++ox) out[ox] = ep.bias;
    for (int64_t ky = 0; ky < g.kernel_h; ++ky) {
      const float* row = scratch + (oy * g.stride_h + ky * g.dilation_h) * row_stride;
      for (int64_t kx = 0; kx < g.kernel_w; ++kx) {
        const int64_t off = kx * g.dilation_w;
        const float* src = row + (off % g.stride_w) * p.row_len + off / g.stride_w;
        const float wv = w[ky * g.kernel_w + kx];
        for (int64_t ox = 0; ox < g.out_w; ++ox) out[ox] += wv * src[ox];
      }
    }
    const float* z = ep.residual ? ep.residual + oy * g.out_w : nullptr;
    for (int64_t ox = 0; ox < g.out_w; ++ox) {
      float v = out[ox];
      if (z) v += z[ox];
      out[ox] = activate_scalar(v, ep.activation, ep.act_alpha, ep.act_beta);
    }
  }
}

namespace {

// The channel-blocked entry of the generic table: the per-channel loop, channel by channel.
void dwconv_block_generic(const DwConv2dGeom& g, int64_t channels, const float* x, const float* w,
                          const DwBlockEpilogue& ep, float* y, float* scratch) {
  const int64_t in = g.in_h * g.in_w, out = g.out_h * g.out_w, taps = g.kernel_h * g.kernel_w;
  for (int64_t c = 0; c < channels; ++c) {
    DwEpilogue e;
    e.bias = ep.bias ? ep.bias[c] : 0.0f;
    e.residual = ep.residual ? ep.residual + c * out : nullptr;
    e.activation = ep.activation;
    e.act_alpha = ep.act_alpha;
    e.act_beta = ep.act_beta;
    f32_dwconv2d_generic(g, x + c * in, w + c * taps, e, y + c * out, scratch);
  }
}

}  // namespace

const F32DwConvKernels& f32_dwconv_generic_kernels() {
  static const F32DwConvKernels k{"f32_dwconv3x3__generic", "f32_dwconv5x5__generic", "f32_dwconv__generic",
                                  f32_dwconv2d_generic,     f32_dwconv2d_generic,     f32_dwconv2d_generic,
                                  "f32_dwconv_c8__generic", dwconv_block_generic};
  return k;
}

}  // namespace ember::kernels
