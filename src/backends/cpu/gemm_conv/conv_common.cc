#include "backends/cpu/gemm_conv/conv_common.h"

namespace ember::backends::gemm_conv {

ConvRun begin_conv_run(const ConvSetup& s, ops::KernelContext& ctx) {
  const Tensor& x = ctx.input(0);
  EMBER_CHECK(x.dtype() == DType::Float32, TypeMismatch, s.node, ": X must be float32, given ", dtype_name(x.dtype()));
  EMBER_CHECK(x.rank() == 4 && x.dim(1) == s.c_in, ShapeMismatch, s.node, ": input X must be [N, ", s.c_in,
              ", H, W], given ", dims_str(x.shape()));
  ConvRun r;
  r.batch = x.dim(0);
  r.in_h = x.dim(2);
  r.in_w = x.dim(3);
  const Dims in = {r.in_h, r.in_w};
  const ops::nn::Window win = ops::nn::resolve_window(s.window, in, {s.kh, s.kw});
  r.out_h = win.out[0];
  r.out_w = win.out[1];
  r.geom = ops::nn::to_geom(win, in);
  const Dims out_shape = {r.batch, s.c_out, r.out_h, r.out_w};
  if (ctx.has_input(2)) {
    const Tensor& b = ctx.input(2);
    EMBER_CHECK(b.dtype() == DType::Float32 && b.rank() == 1 && b.dim(0) == s.c_out, ShapeMismatch, s.node,
                ": bias B must be float32 of shape [", s.c_out, "], given ", dims_str(b.shape()));
    r.bias = b.data<float>();
  }
  if (s.fused && ctx.has_input(3)) {
    const Tensor& z = ctx.input(3);
    EMBER_CHECK(z.dtype() == DType::Float32 && z.shape() == out_shape, ShapeMismatch, s.node, ": residual Z ",
                dims_str(z.shape()), " must have the output's shape ", dims_str(out_shape));
    r.residual = z.data<float>();
  }
  r.x = x.data<float>();
  r.y = ctx.output(0, DType::Float32, out_shape).data<float>();
  return r;
}

kernels::DwConv2dGeom conv2d_geom(const ConvSetup& s, const ConvRun& r) {
  kernels::DwConv2dGeom g;
  g.in_h = r.in_h;
  g.in_w = r.in_w;
  g.out_h = r.out_h;
  g.out_w = r.out_w;
  g.kernel_h = s.kh;
  g.kernel_w = s.kw;
  g.stride_h = r.geom.stride[0];
  g.stride_w = r.geom.stride[1];
  g.dilation_h = r.geom.dilation[0];
  g.dilation_w = r.geom.dilation[1];
  g.pad_top = r.geom.pad[0];
  g.pad_left = r.geom.pad[1];
  return g;
}

}  // namespace ember::backends::gemm_conv
