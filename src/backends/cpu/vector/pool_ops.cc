// Native MaxPool / AveragePool over NCHW 2-D planes (float32, dilation 1, no Indices output)
// and GlobalAveragePool (any spatial rank). The window attributes (kernel_shape, strides,
// pads, auto_pad, ceil_mode) are parsed and resolved by the reference op's own code
// (src/ops/nn/window.h), so both agree on output sizes and padding.
#include <algorithm>

#include "backends/cpu/vector/vector_ops.h"
#include "backends/cpu/vector/vector_util.h"
#include "ops/nn/window.h"
#include "support/error.h"

namespace ember::backends::vector {
namespace {

class Pool2dKernel final : public NativeKernel {
 public:
  Pool2dKernel(const ir::Node& node, bool max, ops::nn::WindowAttrs attrs, bool count_include_pad)
      : NativeKernel(kernel_name(max ? "maxpool2d" : "avgpool2d", kernels::vector_kernels()), node, true),
        max_(max), attrs_(std::move(attrs)), count_include_pad_(count_include_pad) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Float32 || x.rank() != 4) return run_reference(ctx);
    const ops::nn::Window w = ops::nn::resolve_window(attrs_, {x.dim(2), x.dim(3)}, attrs_.kernel);
    kernels::Pool2d g;
    g.in_h = x.dim(2);
    g.in_w = x.dim(3);
    g.out_h = w.out[0];
    g.out_w = w.out[1];
    g.kernel_h = w.kernel[0];
    g.kernel_w = w.kernel[1];
    g.stride_h = w.stride[0];
    g.stride_w = w.stride[1];
    g.pad_top = w.pad_begin[0];
    g.pad_left = w.pad_begin[1];
    g.pad_bottom = w.pad_end[0];
    g.pad_right = w.pad_end[1];
    g.count_include_pad = count_include_pad_;
    if (w.dilation[0] != 1 || w.dilation[1] != 1 || g.pad_top < 0 || g.pad_left < 0 || g.pad_bottom < 0 ||
        g.pad_right < 0)
      return run_reference(ctx);
    Tensor& y = ctx.output(0, DType::Float32, {x.dim(0), x.dim(1), g.out_h, g.out_w});
    const int64_t planes = x.dim(0) * x.dim(1), in_sz = g.in_h * g.in_w, out_sz = g.out_h * g.out_w;
    if (y.numel() == 0) return;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    const int64_t work = std::max<int64_t>(1, out_sz * g.kernel_h * g.kernel_w);
    parallel(ctx, planes, std::max<int64_t>(1, 4 * kCheapGrain / work), [&](int64_t s, int64_t e) {
      for (int64_t p = s; p < e; ++p) {
        if (max_) k_.maxpool2d(g, xp + p * in_sz, yp + p * out_sz);
        else k_.avgpool2d(g, xp + p * in_sz, yp + p * out_sz);
      }
    });
  }

 private:
  bool max_;
  ops::nn::WindowAttrs attrs_;
  bool count_include_pad_;
};

template <bool kMax>
std::unique_ptr<ops::Kernel> make_pool(const ir::Node& node, const runtime::BackendOptions&) {
  if (!all_inputs_f32(node) || input_rank(node, 0) != 4 || has_output(node, 1)) return nullptr;
  ops::nn::WindowAttrs a = ops::nn::WindowAttrs::parse(node, true);
  if (a.kernel.size() != 2) return nullptr;
  for (int64_t d : a.dilations)
    if (d != 1) return nullptr;
  return std::make_unique<Pool2dKernel>(node, kMax, std::move(a), node.attr_int("count_include_pad", 0) != 0);
}

class GlobalAveragePoolKernel final : public NativeKernel {
 public:
  explicit GlobalAveragePoolKernel(const ir::Node& node)
      : NativeKernel(kernel_name("global_avgpool", kernels::vector_kernels()), node, true) {}

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DType::Float32 || x.rank() < 3) return run_reference(ctx);
    Dims out_shape = x.shape();
    std::fill(out_shape.begin() + 2, out_shape.end(), 1);
    Tensor& y = ctx.output(0, DType::Float32, out_shape);
    const int64_t planes = x.dim(0) * x.dim(1), sz = planes ? x.numel() / planes : 0;
    const float* xp = x.data<float>();
    float* yp = y.data<float>();
    parallel(ctx, planes, std::max<int64_t>(1, kCheapGrain / std::max<int64_t>(sz, 1)), [&](int64_t s, int64_t e) {
      for (int64_t p = s; p < e; ++p) yp[p] = k_.mean(sz, xp + p * sz);
    });
  }
};

std::unique_ptr<ops::Kernel> make_global_average_pool(const ir::Node& node, const runtime::BackendOptions&) {
  if (!all_inputs_f32(node)) return nullptr;
  return std::make_unique<GlobalAveragePoolKernel>(node);
}

}  // namespace

void register_pool_ops(NativeRegistry& r) {
  r.add("", "MaxPool", make_pool<true>);
  r.add("", "AveragePool", make_pool<false>);
  r.add("", "GlobalAveragePool", make_global_average_pool);
}

}  // namespace ember::backends::vector
