// ai.ember DequantizeResidualAdd (see dequantize_residual_add.h): argument check, type
// inference and the reference kernel (one element at a time, the unfused ops' formulas).
#include "ops/quant/dequantize_residual_add.h"

#include <cmath>

#include "ops/op_util.h"
#include "ops/quant/quant_ops.h"

namespace ember::ops::quant {
namespace {

bool is_8bit(DType t) { return t == DType::UInt8 || t == DType::Int8; }

int32_t byte_value(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int8 ? int32_t(t.data<int8_t>()[i]) : int32_t(t.data<uint8_t>()[i]);
}

float scalar_scale(const KernelContext& ctx, size_t i, const std::string& who, const char* what) {
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(t.dtype() == DType::Float32 && t.numel() == 1, Unsupported, who, ": ", what,
              " must be one float32 value, given ", dtype_name(t.dtype()), " ", dims_str(t.shape()));
  return t.data<float>()[0];
}

// Input i as C floats (absent: empty); one value is repeated.
std::vector<float> per_channel(const KernelContext& ctx, size_t i, int64_t C, const std::string& who, const char* what) {
  if (!ctx.has_input(i)) return {};
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(t.dtype() == DType::Float32, TypeMismatch, who, ": ", what, " must be float32, given ",
              dtype_name(t.dtype()));
  EMBER_CHECK(t.numel() == 1 || (t.rank() == 1 && t.dim(0) == C), ShapeMismatch, who, ": ", what,
              " must have 1 or ", C, " elements (rank <= 1), given ", dims_str(t.shape()));
  std::vector<float> v(static_cast<size_t>(C));
  for (int64_t c = 0; c < C; ++c) v[size_t(c)] = t.data<float>()[t.numel() == 1 ? 0 : c];
  return v;
}

class DequantizeResidualAddKernel final : public Kernel {
 public:
  explicit DequantizeResidualAddKernel(const ir::Node& n) : who_(n.describe()), relu_(n.attr_int("relu", 0) != 0) {}
  void run(KernelContext& ctx) const override {
    const ResidualAddArgs a = residual_add_args(ctx, relu_, who_);
    const Tensor& x = ctx.input(0);
    const float* r = ctx.input(5).data<float>();
    Tensor* y = ctx.wants_output(0) ? &ctx.output(0, DType::Float32, x.shape()) : nullptr;
    Tensor* yq = a.quantized_out && ctx.output_count() > 1 && ctx.wants_output(1) ? &ctx.output(1, a.y_type, x.shape()) : nullptr;
    const double lo = a.y_type == DType::Int8 ? -128.0 : 0.0, hi = a.y_type == DType::Int8 ? 127.0 : 255.0;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const size_t c = size_t((i / a.inner) % a.channels);
      float v = float(byte_value(x, i) - a.x_zero_point) * a.x_scale;
      if (!a.mul.empty()) v = v * a.mul[c];
      if (!a.shift.empty()) v = v + a.shift[c];
      v = v + r[i];
      if (a.relu) v = v > 0.0f ? v : 0.0f;
      if (y) y->data<float>()[i] = v;
      if (!yq) continue;
      const float q = v / a.y_scale;
      const double s = std::min(hi, std::max(lo, std::isnan(q) ? 0.0 : std::nearbyint(double(q)) + a.y_zero_point));
      if (a.y_type == DType::Int8) yq->data<int8_t>()[i] = int8_t(s);
      else yq->data<uint8_t>()[i] = uint8_t(s);
    }
  }

 private:
  std::string who_;
  bool relu_;
};

void infer_dequantize_residual_add(InferContext& ctx) {
  ctx.set_output(0, with_dtype(ctx.input_type(0), DType::Float32));
  if (ctx.output_count() > 1)
    ctx.set_output(1, with_dtype(ctx.input_type(0), ctx.has_input(7) ? ctx.input_type(7).dtype : DType::UInt8));
}

std::unique_ptr<Kernel> make_dequantize_residual_add(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<DequantizeResidualAddKernel>(n);
}

}  // namespace

ResidualAddArgs residual_add_args(const KernelContext& ctx, bool relu, const std::string& who) {
  ResidualAddArgs a;
  const Tensor& x = ctx.input(0);
  EMBER_CHECK(is_8bit(x.dtype()), TypeMismatch, who, ": X must be uint8 or int8, given ", dtype_name(x.dtype()));
  EMBER_CHECK(x.rank() >= 2, ShapeMismatch, who, ": X must be [N, C, ...], given ", dims_str(x.shape()));
  a.channels = x.dim(1);
  a.planes = x.dim(0) * a.channels;
  a.inner = a.planes ? x.numel() / a.planes : 0;
  a.x_scale = scalar_scale(ctx, 1, who, "x_scale");
  if (ctx.has_input(2)) {
    const Tensor& z = ctx.input(2);
    EMBER_CHECK(z.dtype() == x.dtype() && z.numel() == 1, TypeMismatch, who,
                ": x_zero_point must be one value of X's type, given ", dtype_name(z.dtype()), " ", dims_str(z.shape()));
    a.x_zero_point = byte_value(z, 0);
  }
  a.mul = per_channel(ctx, 3, a.channels, who, "mul");
  a.shift = per_channel(ctx, 4, a.channels, who, "shift");
  EMBER_CHECK(ctx.has_input(5), InvalidModel, who, ": the residual input R is required");
  const Tensor& r = ctx.input(5);
  EMBER_CHECK(r.dtype() == DType::Float32 && r.shape() == x.shape(), ShapeMismatch, who,
              ": R must be float32 of X's shape ", dims_str(x.shape()), ", given ", dtype_name(r.dtype()), " ",
              dims_str(r.shape()));
  a.relu = relu;
  a.quantized_out = ctx.has_input(6);
  if (a.quantized_out) {
    a.y_scale = scalar_scale(ctx, 6, who, "y_scale");
    EMBER_CHECK(a.y_scale != 0.0f && std::isfinite(a.y_scale), InvalidArgument, who, ": y_scale must be finite and non-zero");
    if (ctx.has_input(7)) {
      const Tensor& z = ctx.input(7);
      EMBER_CHECK(is_8bit(z.dtype()) && z.numel() == 1, TypeMismatch, who,
                  ": y_zero_point must be one int8 or uint8 value, given ", dtype_name(z.dtype()), " ", dims_str(z.shape()));
      a.y_type = z.dtype();
      a.y_zero_point = byte_value(z, 0);
    }
  }
  return a;
}

void add_dequantize_residual_add_op(OpRegistry& r) {
  r.add(OpSchema{"DequantizeResidualAdd", "ai.ember", 1, 1 << 30, &infer_dequantize_residual_add,
                 &make_dequantize_residual_add, {DType::UInt8, DType::Int8}});
}

}  // namespace ember::ops::quant
