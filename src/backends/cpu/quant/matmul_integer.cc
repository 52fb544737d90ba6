// Native MatMulInteger (int32 out), QLinearMatMul (requantized 8-bit out) and ai.ember
// MatMulIntegerToFloat (float out: the int32 sums scaled, plus bias, in the GEMM's epilogue, so
// dynamically quantized graphs never write the int32 tensor and cast it) for the shape
// quantized models use: uint8 activations A [..., M, K] times constant 2-D weights B [K, N]
// (int8 or uint8, zero point per tensor or per column), packed once at session creation.
// Anything else (int8 activations, weights fed at run time, 1-D operands) is left to the
// reference kernels in src/ops/quant (the factories return null).
#include <memory>

#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/quant_ops.h"
#include "support/error.h"

namespace ember::backends::quant {
namespace {

using gemm_conv::constant_input;
using gemm_conv::has_input;
using kernels::QuantOut;

// Which op's inputs and output the kernel has.
enum class Form {
  Integer,  // MatMulInteger: (a, b, a_zp, b_zp) -> int32
  QLinear,  // QLinearMatMul: (a, a_scale, a_zp, b, b_scale, b_zp, y_scale, y_zp) -> 8-bit
  ToFloat,  // ai.ember MatMulIntegerToFloat: (a, b, a_zp, b_zp, scale, bias) -> float32
};

const char* form_name(Form f) {
  return f == Form::QLinear ? "qlinear_matmul" : f == Form::ToFloat ? "matmul_integer_to_float" : "matmul_integer";
}

// One or n float32 values (rank <= 1) as n floats; throws naming `what` otherwise.
std::vector<float> one_or_n(const Tensor& t, int64_t n, const std::string& who, const char* what) {
  EMBER_CHECK(t.dtype() == DType::Float32 && t.rank() <= 1 && (t.numel() == 1 || t.numel() == n), ShapeMismatch, who,
              ": ", what, " must be float32 with 1 or ", n, " elements, given ", dtype_name(t.dtype()), " ",
              dims_str(t.shape()));
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) v[size_t(j)] = t.data<float>()[t.numel() == 1 ? 0 : j];
  return v;
}

class QuantMatMulKernel final : public ops::Kernel {
 public:
  QuantMatMulKernel(const ir::Node& node, Form form, const U8S8GemmKernels& k, const Tensor& b, const Tensor* b_zp,
                    std::vector<float> b_scale)
      : who_(node.describe()), form_(form),
        w_(k, b.dim(0), b.dim(1), b.dtype(), static_cast<const uint8_t*>(b.raw()), b.dim(1), false,
           zero_points(b_zp, b.dtype(), b.dim(1), who_, "b_zero_point")),
        b_scale_(std::move(b_scale)), name_(path_name(form_name(form), w_.kernels())) {}
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    EMBER_CHECK(a.dtype() == DType::UInt8, TypeMismatch, who_, ": A must be uint8, given ", dtype_name(a.dtype()));
    EMBER_CHECK(a.rank() >= 2 && a.dim(a.rank() - 1) == w_.K(), ShapeMismatch, who_, ": A of shape ",
                dims_str(a.shape()), " must be [..., M, ", w_.K(), "] to multiply B [", w_.K(), ", ", w_.N(), "]");
    Dims out_shape = a.shape();
    out_shape.back() = w_.N();
    const int64_t rows = w_.K() ? a.numel() / w_.K() : dims_numel(out_shape) / std::max<int64_t>(w_.N(), 1);
    U8S8Epilogue ep;
    EMBER_CHECK(!ctx.has_input(2) || ctx.input(2).dtype() == DType::UInt8, TypeMismatch, who_, ": a_zero_point must be uint8 like the input, given ",
                dtype_name(ctx.input(2).dtype()));
    ep.a_zero_point = scalar_zero_point(ctx, 2, who_, "a_zero_point");
    ep.ldc = w_.N();
    std::vector<float> mult, bias;
    if (form_ == Form::Integer) {
      ep.out = QuantOut::Int32;
      ep.c = ctx.output(0, DType::Int32, out_shape).raw();
    } else if (form_ == Form::ToFloat) {
      EMBER_CHECK(ctx.has_input(4), InvalidModel, who_, ": the scale input is required");
      mult = one_or_n(ctx.input(4), w_.N(), who_, "scale");
      if (ctx.has_input(5)) bias = one_or_n(ctx.input(5), w_.N(), who_, "bias");
      ep.out = QuantOut::Float32;
      ep.scale = mult.data();
      ep.bias_f32 = bias.empty() ? nullptr : bias.data();
      ep.c = ctx.output(0, DType::Float32, out_shape).raw();
    } else {
      EMBER_CHECK(ctx.input(7).dtype() == DType::UInt8 || ctx.input(7).dtype() == DType::Int8, TypeMismatch, who_,
                  ": y_zero_point must be int8 or uint8, given ", dtype_name(ctx.input(7).dtype()));
      const float as = scalar_scale(ctx, 1, who_, "a_scale"), ys = scalar_scale(ctx, 6, who_, "y_scale");
      EMBER_CHECK(ys != 0.0f, InvalidArgument, who_, ": y_scale is zero");
      mult = requant_multipliers(as, b_scale_, ys);
      const DType out = ctx.input(7).dtype();
      ep.out = out == DType::UInt8 ? QuantOut::UInt8 : QuantOut::Int8;
      ep.scale = mult.data();
      ep.y_zero_point = scalar_zero_point(ctx, 7, who_, "y_zero_point");
      ep.c = ctx.output(0, out, out_shape).raw();
    }
    if (dims_numel(out_shape) == 0) return;
    u8s8_multiply(ctx.pool(), rows, a.data<uint8_t>(), w_.K(), false, w_, ep);
  }

 private:
  std::string who_;
  Form form_;
  PackedWeights w_;
  std::vector<float> b_scale_;  // per column (QLinearMatMul)
  std::string name_;
};

bool uint8_rank2plus(const ir::Node& node, size_t i) {
  if (!has_input(node, i)) return false;
  const ir::TypeInfo& t = node.inputs[i]->type;
  return t.dtype == DType::UInt8 && t.has_shape && t.dims.size() >= 2;
}

// Constant 2-D 8-bit weights, or null.
const Tensor* constant_weights(const ir::Node& node, size_t i) {
  const Tensor* b = constant_input(node, i);
  if (!b || b->rank() != 2 || (b->dtype() != DType::Int8 && b->dtype() != DType::UInt8)) return nullptr;
  return b;
}

// An optional input that must be a constant when present: false when it is fed at run time.
bool absent_or_constant(const ir::Node& node, size_t i) { return !has_input(node, i) || constant_input(node, i); }

}  // namespace

std::unique_ptr<ops::Kernel> make_matmul_integer(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* b = constant_weights(node, 1);
  if (!uint8_rank2plus(node, 0) || !b || !absent_or_constant(node, 3)) return nullptr;
  return std::make_unique<QuantMatMulKernel>(node, Form::Integer, kernels::u8s8_gemm_kernels(), *b,
                                             constant_input(node, 3), std::vector<float>());
}

std::unique_ptr<ops::Kernel> make_matmul_integer_to_float(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* b = constant_weights(node, 1);
  if (!uint8_rank2plus(node, 0) || !b || !absent_or_constant(node, 3)) return nullptr;
  return std::make_unique<QuantMatMulKernel>(node, Form::ToFloat, kernels::u8s8_gemm_kernels(), *b,
                                             constant_input(node, 3), std::vector<float>());
}

std::unique_ptr<ops::Kernel> make_qlinear_matmul(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* b = constant_weights(node, 3);
  const Tensor* bs = constant_input(node, 4);
  if (node.inputs.size() < 8 || !uint8_rank2plus(node, 0) || !b || !bs || !absent_or_constant(node, 5)) return nullptr;
  if (bs->dtype() != DType::Float32) return nullptr;  // float16 scales: the reference rounds in float16
  const int64_t N = b->dim(1);
  if (bs->numel() != 1 && !(bs->rank() == 1 && bs->dim(0) == N)) return nullptr;  // the reference reports it
  return std::make_unique<QuantMatMulKernel>(node, Form::QLinear, kernels::u8s8_gemm_kernels(), *b, constant_input(node, 5),
                                             channel_scales(*bs, N, node.describe(), "b_scale"));
}

}  // namespace ember::backends::quant
