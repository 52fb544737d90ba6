// MatMul, Gemm and ai.ember FusedMatMul as one oneDNN matmul primitive.
//
// Transposes are strides on the operand's memory descriptor (nothing is copied). alpha is
// folded into constant weights at creation (alpha != 1 with fed weights is not taken). A
// constant bias (FusedMatMul's bias, Gemm's beta*C) is the primitive's bias; other
// bias-like addends are binary-add post-ops (they broadcast like the ONNX op does). The
// residual Z is copied into Y and added by a sum post-op; the activation is eltwise post-ops.
#include <algorithm>

#include "backends/onednn/factories.h"
#include "backends/onednn/node_inputs.h"
#include "backends/onednn/primitive_kernel.h"

namespace ember::backends::onednn {

using dnnl::memory;

namespace {

// A stored operand [..., R, C] seen as its logical matrix, optionally transposed, padded to
// `rank` with leading broadcast dims.
memory::desc operand_desc(const Dims& stored, bool transposed, size_t rank) {
  memory::dims dims = to_dnnl(stored), strides = row_major_strides(stored);
  const size_t r = dims.size();
  if (transposed) {
    std::swap(dims[r - 1], dims[r - 2]);
    std::swap(strides[r - 1], strides[r - 2]);
  }
  const memory::dim outer = dims_numel(stored);
  dims.insert(dims.begin(), rank - r, 1);
  strides.insert(strides.begin(), rank - r, outer);
  return memory::desc(dims, memory::data_type::f32, strides);
}

// `d` with leading 1s up to `rank` (for bias / binary operands that broadcast to Y).
Dims pad_front(Dims d, size_t rank) {
  d.insert(d.begin(), rank - d.size(), 1);
  return d;
}

bool broadcasts_to(const Dims& d, const Dims& out) {
  if (d.size() > out.size()) return false;
  const Dims p = pad_front(d, out.size());
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != 1 && p[i] != out[i]) return false;
  return true;
}

struct Addend {   // something added to A@B before the residual and activation
  int input = -1;            // node input fed each run ...
  const Tensor* constant = nullptr;  // ... or a constant
  Dims dims;                 // as stored
  float scale = 1.0f;        // Gemm's beta
};

}  // namespace

std::unique_ptr<ops::Kernel> make_matmul(const ir::Node& node, const runtime::BackendOptions& options, MatmulOp op) {
  const size_t max_inputs = op == MatmulOp::MatMul ? 2 : op == MatmulOp::Gemm ? 3 : 4;
  if (node.explicit_input_count() > max_inputs || node.outputs.empty() || !node.outputs[0]) return nullptr;
  // Legacy 'broadcast' semantics (opset < 7), or the attribute where it is an error: the
  // reference kernel handles / reports those.
  if (op == MatmulOp::Gemm && (node.opset < 7 || node.has_attr("broadcast"))) return nullptr;
  const ir::Value* av = input_at(node, 0);
  const ir::Value* bv = input_at(node, 1);
  if (!static_f32(av) || !static_f32(bv)) return nullptr;
  const Dims a = av->type.static_dims(), b = bv->type.static_dims();
  const Tensor* b_const = f32_constant(bv);
  if (b_const && b_const->shape() != b) return nullptr;
  if (a.size() < 2 || b.size() < 2 || (op == MatmulOp::Gemm && (a.size() != 2 || b.size() != 2))) return nullptr;
  for (int64_t d : a) if (d <= 0) return nullptr;
  for (int64_t d : b) if (d <= 0) return nullptr;

  bool ta = false, tb = false;
  float alpha = 1.0f;
  try {
    if (op != MatmulOp::MatMul) {
      ta = node.attr_int("transA", 0) != 0;
      tb = node.attr_int("transB", 0) != 0;
      alpha = node.attr_float("alpha", 1.0f);
    }
  } catch (const Error&) {
    return nullptr;
  }
  const size_t r = std::max(a.size(), b.size());
  const memory::desc a_md = operand_desc(a, ta, r);
  const memory::desc b_plain = operand_desc(b, tb, r);
  const memory::dims al = a_md.dims(), bl = b_plain.dims();
  if (al[r - 1] != bl[r - 2]) return nullptr;  // K mismatch: the reference reports it
  Dims y(r);
  for (size_t i = 0; i + 2 < r; ++i) {
    if (al[i] != bl[i] && al[i] != 1 && bl[i] != 1) return nullptr;
    y[i] = std::max(al[i], bl[i]);
  }
  y[r - 2] = al[r - 2];
  y[r - 1] = bl[r - 1];

  std::vector<Addend> adds;
  const ir::Value* zv = nullptr;
  if (op == MatmulOp::Gemm && input_at(node, 2)) {
    Addend c;
    c.input = 2;
    c.constant = f32_constant(input_at(node, 2));
    if (!static_f32(input_at(node, 2)) && !c.constant) return nullptr;
    c.dims = c.constant ? c.constant->shape() : input_at(node, 2)->type.static_dims();
    c.scale = node.attr_float("beta", 1.0f);
    if (!broadcasts_to(c.dims, y)) return nullptr;
    if (!c.constant && c.scale != 1.0f) return nullptr;
    if (c.scale != 0.0f) adds.push_back(c);
  }
  if (op == MatmulOp::FusedMatMul) {
    if (const ir::Value* bias = input_at(node, 2)) {
      Addend c;
      c.input = 2;
      c.constant = f32_constant(bias);
      if (!static_f32(bias) && !c.constant) return nullptr;
      c.dims = c.constant ? c.constant->shape() : bias->type.static_dims();
      if (c.dims != Dims{y[r - 1]}) return nullptr;
      adds.push_back(c);
    }
    zv = input_at(node, 3);
    if (zv && (!static_f32(zv) || zv->type.static_dims() != y)) return nullptr;
  }

  // Post-ops, in the order the op defines: alpha, addends, residual, activation.
  // alpha with fed weights: a leading eltwise_linear post-op gave zeros in oneDNN 2.6.3's
  // matmul (seen in the unit tests), so those nodes are left to the other kernels.
  if (!b_const && alpha != 1.0f) return nullptr;
  dnnl::post_ops post;
  const bool native_bias = adds.size() == 1 && adds[0].constant;
  std::vector<std::pair<int, const Addend*>> binaries;  // post-op index -> addend
  if (!native_bias)
    for (const Addend& c : adds) {
      binaries.push_back({post.len(), &c});
      post.append_binary(dnnl::algorithm::binary_add, plain_desc(pad_front(c.dims, r)));
    }
  if (zv) post.append_sum(1.0f);
  if (op == MatmulOp::FusedMatMul && !append_activation(node, post)) return nullptr;

  const memory::desc dst = plain_desc(y);
  const memory::desc b_md = b_const ? memory::desc(bl, memory::data_type::f32, memory::format_tag::any) : b_plain;
  const memory::desc bias_md = native_bias ? plain_desc(pad_front(adds[0].dims, r)) : memory::desc();
  try {
    use_threads(options.threads);
    const dnnl::matmul::desc d(a_md, b_md, bias_md, dst);
    const dnnl::matmul::primitive_desc pd(d, make_attr(post), cpu_engine());
    PrimitiveKernel::Spec k;
    k.node = node.describe();
    k.name = op == MatmulOp::MatMul ? "onednn:matmul" : op == MatmulOp::Gemm ? "onednn:gemm" : "onednn:fused_matmul";
    k.primitive = dnnl::matmul(pd);
    k.scratchpad = pd.scratchpad_desc();
    k.args.push_back(Arg{DNNL_ARG_SRC, a_md, 0, {}});
    k.input_shapes.push_back({0, a});
    if (b_const) {
      k.args.push_back(Arg{DNNL_ARG_WEIGHTS, {}, -1, prepare_constant(*b_const, b_plain, pd.weights_desc(), alpha)});
    } else {
      k.args.push_back(Arg{DNNL_ARG_WEIGHTS, b_plain, 1, {}});
      k.input_shapes.push_back({1, b});
    }
    if (native_bias)
      k.args.push_back(Arg{DNNL_ARG_BIAS, {}, -1, prepare_constant(*adds[0].constant, bias_md, pd.bias_desc(), adds[0].scale)});
    for (const auto& [index, c] : binaries) {
      const memory::desc md = plain_desc(pad_front(c->dims, r));
      const int arg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(index) | DNNL_ARG_SRC_1;
      if (c->constant) {
        k.args.push_back(Arg{arg, {}, -1, prepare_constant(*c->constant, md, md, c->scale)});
      } else {
        k.args.push_back(Arg{arg, md, c->input, {}});
        k.input_shapes.push_back({c->input, c->dims});
      }
    }
    if (zv) k.input_shapes.push_back({3, y});
    k.dst = dst;
    k.out_shape = y;
    k.sum_input = zv ? 3 : -1;
    k.threads = options.threads;
    return std::make_unique<PrimitiveKernel>(std::move(k));
  } catch (const dnnl::error&) {
    return nullptr;
  }
}

}  // namespace ember::backends::onednn
