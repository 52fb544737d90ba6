// Conv and ai.ember FusedConv as one oneDNN convolution primitive: bias as the primitive's
// bias, the residual Z as a sum post-op (Z is copied into Y, which the primitive then adds
// to), the activation as eltwise post-ops. X and Y stay plain NC[D]HW; the constant weights
// are reordered once into the layout the chosen implementation wants.
#include <algorithm>

#include "backends/onednn/factories.h"
#include "backends/onednn/node_inputs.h"
#include "backends/onednn/primitive_kernel.h"
#include "ops/nn/window.h"

namespace ember::backends::onednn {

using dnnl::memory;

namespace {

struct ConvShapes {
  Dims x, w, y;
  int64_t group = 1;
  ops::nn::Window win;
};

// Null-free shape analysis; false when the node is not something this kernel takes.
bool analyse(const ir::Node& node, ConvShapes& s) {
  const ir::Value* x = input_at(node, 0);
  const Tensor* w = f32_constant(input_at(node, 1));
  if (!static_f32(x) || !w) return false;
  s.x = x->type.static_dims();
  s.w = w->shape();
  if (s.x.size() < 3 || s.x.size() > 5 || s.w.size() != s.x.size()) return false;
  if (std::any_of(s.x.begin(), s.x.end(), [](int64_t d) { return d <= 0; })) return false;
  s.group = node.attr_int("group", 1);
  if (s.group < 1 || s.x[1] != s.w[1] * s.group || s.w[0] % s.group != 0) return false;
  const ops::nn::WindowAttrs at = ops::nn::WindowAttrs::parse(node, false);
  s.win = ops::nn::resolve_window(at, Dims(s.x.begin() + 2, s.x.end()), Dims(s.w.begin() + 2, s.w.end()));
  s.y = {s.x[0], s.w[0]};
  for (int64_t o : s.win.out) {
    if (o <= 0) return false;
    s.y.push_back(o);
  }
  for (int64_t p : s.win.pad_begin) if (p < 0) return false;
  for (int64_t p : s.win.pad_end) if (p < 0) return false;
  return true;
}

}  // namespace

std::unique_ptr<ops::Kernel> make_conv(const ir::Node& node, const runtime::BackendOptions& options, bool fused) {
  if (node.explicit_input_count() > (fused ? 4u : 3u) || node.outputs.empty() || !node.outputs[0]) return nullptr;
  ConvShapes s;
  try {
    if (!analyse(node, s)) return nullptr;
  } catch (const Error&) {
    return nullptr;  // malformed attributes or shapes: the reference kernel reports them
  }
  const Tensor* bias = nullptr;
  if (const ir::Value* b = input_at(node, 2)) {
    bias = f32_constant(b);
    if (!bias || bias->shape() != Dims{s.w[0]}) return nullptr;
  }
  const ir::Value* z = fused ? input_at(node, 3) : nullptr;
  if (z && (!static_f32(z) || z->type.static_dims() != s.y)) return nullptr;

  dnnl::post_ops post;
  if (z) post.append_sum(1.0f);
  if (fused && !append_activation(node, post)) return nullptr;

  // ONNX W [M, C/G, k...] is, read as [G, M/G, C/G, k...], oneDNN's grouped weights.
  Dims wd = s.w;
  if (s.group > 1) {
    wd[0] = s.w[0] / s.group;
    wd.insert(wd.begin(), s.group);
  }
  const size_t nd = s.win.nd();
  memory::dims strides(nd), dilates(nd), pad_l(nd), pad_r(nd);
  for (size_t i = 0; i < nd; ++i) {
    strides[i] = s.win.stride[i];
    dilates[i] = s.win.dilation[i] - 1;  // oneDNN counts the holes, ONNX the step
    pad_l[i] = s.win.pad_begin[i];
    pad_r[i] = s.win.pad_end[i];
  }
  const memory::desc src = plain_desc(s.x), dst = plain_desc(s.y);
  const memory::desc wei_any(to_dnnl(wd), memory::data_type::f32, memory::format_tag::any);
  const memory::desc bias_md = bias ? plain_desc({s.w[0]}) : memory::desc();
  try {
    use_threads(options.threads);
    const dnnl::convolution_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                            src, wei_any, bias_md, dst, strides, dilates, pad_l, pad_r);
    const dnnl::convolution_forward::primitive_desc pd(d, make_attr(post), cpu_engine());
    PrimitiveKernel::Spec k;
    k.node = node.describe();
    k.name = fused ? "onednn:fused_conv" : "onednn:conv";
    k.primitive = dnnl::convolution_forward(pd);
    k.scratchpad = pd.scratchpad_desc();
    k.args.push_back(Arg{DNNL_ARG_SRC, src, 0, {}});
    k.args.push_back(Arg{DNNL_ARG_WEIGHTS, {}, -1, prepare_constant(*input_at(node, 1)->constant, plain_desc(wd), pd.weights_desc())});
    if (bias) k.args.push_back(Arg{DNNL_ARG_BIAS, {}, -1, prepare_constant(*bias, bias_md, pd.bias_desc())});
    k.input_shapes.push_back({0, s.x});
    if (z) k.input_shapes.push_back({3, s.y});
    k.dst = dst;
    k.out_shape = s.y;
    k.sum_input = z ? 3 : -1;
    k.threads = options.threads;
    return std::make_unique<PrimitiveKernel>(std::move(k));
  } catch (const dnnl::error&) {
    return nullptr;  // a configuration this oneDNN build does not implement
  }
}

}  // namespace ember::backends::onednn
