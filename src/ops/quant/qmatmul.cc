// Integer matrix products and dynamic quantization, as reference loops:
//   MatMulInteger (10):  Y[int32] = (A - a_zp) @ (B - b_zp)
//   QLinearMatMul (10, 21): Y = saturate(rint(((A - a_zp) @ (B - b_zp)) * (a_scale * b_scale /
//                        y_scale)) + y_zp); the scale factor is rounded in the scales' type
//                        (float32 or float16) and applied in double, as the reference does.
//   DynamicQuantizeLinear (11): uint8 quantization with scale/zero point from x's range.
//   ai.ember MatMulIntegerToFloat (1): Y[float] = float(MatMulInteger(A, B, a_zp, b_zp)) * scale
//                        (+ bias), scale and bias with one or N (= B's columns) elements;
//                        b_zp may be per column here. The fusion of MatMulInteger -> Cast ->
//                        Mul [-> Add] (src/opt/fuse_matmul_integer_to_float.cc).
// A and B have rank >= 2 with numpy-broadcast batch dimensions. Otherwise zero points and scales
// must be per-tensor (one element); per-row/per-column ones are refused as Unsupported.
#include <cmath>

#include "ops/op_util.h"
#include "ops/quant/quant_ops.h"

namespace ember::ops::quant {
namespace {

double at(const Tensor& t, int64_t i) {
  return visit_numeric_dtype(t.dtype(), [&](auto tag) -> double {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) return double(float(t.data<T>()[i]));
    else return double(t.data<T>()[i]);
  });
}

double scalar_of(KernelContext& ctx, size_t i, const std::string& who, const char* what, double dflt) {
  if (!ctx.has_input(i)) return dflt;
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(t.numel() == 1, Unsupported, who, ": only a per-tensor (one-element) ", what,
              " is supported, got shape ", dims_str(t.shape()));
  return at(t, 0);
}

// One or n float32 values of input i (absent: empty), as n floats.
std::vector<float> one_or_n(KernelContext& ctx, size_t i, int64_t n, const std::string& who, const char* what) {
  if (!ctx.has_input(i)) return {};
  const Tensor& t = ctx.input(i);
  EMBER_CHECK(t.dtype() == DType::Float32, TypeMismatch, who, ": ", what, " must be float32, given ",
              dtype_name(t.dtype()));
  EMBER_CHECK(t.rank() <= 1 && (t.numel() == 1 || t.numel() == n), ShapeMismatch, who, ": ", what,
              " must have 1 or ", n, " elements (rank <= 1), given ", dims_str(t.shape()));
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t j = 0; j < n; ++j) v[size_t(j)] = t.data<float>()[t.numel() == 1 ? 0 : j];
  return v;
}

// C[batch, M, N] = sum_k (A - za)(B - zb[n]) in int64, with batch broadcasting. zb: one value
// or N values (per column).
std::vector<int64_t> int_matmul(const Tensor& a, const Tensor& b, int64_t za, const std::vector<int64_t>& zb,
                                const std::string& who, Dims& out_shape) {
  EMBER_CHECK(a.rank() >= 2 && b.rank() >= 2, Unsupported, who, ": inputs of rank < 2 are not supported");
  EMBER_CHECK(dtype_is_integer(a.dtype()) && dtype_size(a.dtype()) == 1 && dtype_is_integer(b.dtype()) &&
                  dtype_size(b.dtype()) == 1, TypeMismatch, who, ": A and B must be int8 or uint8");
  const int64_t M = a.dim(a.rank() - 2), K = a.dim(a.rank() - 1);
  const int64_t K2 = b.dim(b.rank() - 2), N = b.dim(b.rank() - 1);
  EMBER_CHECK(K == K2, ShapeMismatch, who, ": inner dimensions differ: A ", dims_str(a.shape()), ", B ",
              dims_str(b.shape()));
  const Dims ab(a.shape().begin(), a.shape().end() - 2), bb(b.shape().begin(), b.shape().end() - 2);
  const Dims batch = broadcast_shapes(ab, bb);
  const Dims sa = broadcast_strides(ab, batch), sb = broadcast_strides(bb, batch);
  const int64_t nb = dims_numel(batch);
  EMBER_CHECK(zb.size() == 1 || int64_t(zb.size()) == N, ShapeMismatch, who, ": b_zero_point must have 1 or ", N,
              " elements, given ", zb.size());
  out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  std::vector<int64_t> c(size_t(nb * M * N));
  StridedCounter it(batch, {sa, sb});
  for (int64_t t = 0; t < nb; ++t, it.next()) {
    const int64_t oa = it.offset(0) * M * K, ob = it.offset(1) * K * N;
    for (int64_t m = 0; m < M; ++m)
      for (int64_t n = 0; n < N; ++n) {
        int64_t s = 0;
        for (int64_t k = 0; k < K; ++k)
          s += (int64_t(at(a, oa + m * K + k)) - za) * (int64_t(at(b, ob + k * N + n)) - zb[zb.size() > 1 ? n : 0]);
        c[size_t((t * M + m) * N + n)] = s;
      }
  }
  return c;
}

class MatMulIntegerKernel final : public Kernel {
 public:
  explicit MatMulIntegerKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const int64_t za = int64_t(scalar_of(ctx, 2, who_, "a_zero_point", 0));
    const int64_t zb = int64_t(scalar_of(ctx, 3, who_, "b_zero_point", 0));
    Dims shape;
    const auto c = int_matmul(ctx.input(0), ctx.input(1), za, {zb}, who_, shape);
    Tensor& y = ctx.output(0, DType::Int32, shape);
    for (size_t i = 0; i < c.size(); ++i) y.data<int32_t>()[i] = int32_t(uint32_t(uint64_t(c[i])));  // wraps
  }

 private:
  std::string who_;
};

// Inputs: A, B, a_zero_point, b_zero_point (one or N values), scale, bias (see docs/ember_ops.md).
class MatMulIntegerToFloatKernel final : public Kernel {
 public:
  explicit MatMulIntegerToFloatKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const Tensor& b = ctx.input(1);
    EMBER_CHECK(b.rank() >= 2, Unsupported, who_, ": B of rank < 2 is not supported");
    const int64_t N = b.dim(b.rank() - 1);
    const int64_t za = int64_t(scalar_of(ctx, 2, who_, "a_zero_point", 0));
    std::vector<int64_t> zb = {0};
    if (ctx.has_input(3)) {
      const Tensor& z = ctx.input(3);
      EMBER_CHECK(z.rank() <= 1 && (z.numel() == 1 || z.numel() == N), ShapeMismatch, who_,
                  ": b_zero_point must have 1 or ", N, " elements (rank <= 1), given ", dims_str(z.shape()));
      zb.resize(size_t(z.numel()));
      for (int64_t j = 0; j < z.numel(); ++j) zb[size_t(j)] = int64_t(at(z, j));
    }
    EMBER_CHECK(ctx.has_input(4), InvalidModel, who_, ": the scale input is required");
    const std::vector<float> scale = one_or_n(ctx, 4, N, who_, "scale"), bias = one_or_n(ctx, 5, N, who_, "bias");
    Dims shape;
    const auto c = int_matmul(ctx.input(0), b, za, zb, who_, shape);
    float* y = ctx.output(0, DType::Float32, shape).data<float>();
    for (size_t i = 0; i < c.size(); ++i) {
      const size_t n = i % size_t(N);
      const float v = float(int32_t(uint32_t(uint64_t(c[i])))) * scale[n];  // wraps like MatMulInteger
      y[i] = bias.empty() ? v : v + bias[n];
    }
  }

 private:
  std::string who_;
};

double round_scale(DType t, double v) {
  if (t == DType::Float16) return double(float(half(float(v))));
  if (t == DType::BFloat16) return double(float(bfloat16(float(v))));
  if (t == DType::Float32) return double(float(v));
  return v;
}

class QLinearMatMulKernel final : public Kernel {
 public:
  explicit QLinearMatMulKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const int64_t za = int64_t(scalar_of(ctx, 2, who_, "a_zero_point", 0));
    const int64_t zb = int64_t(scalar_of(ctx, 5, who_, "b_zero_point", 0));
    const double as = scalar_of(ctx, 1, who_, "a_scale", 1), bs = scalar_of(ctx, 4, who_, "b_scale", 1);
    const double ys = scalar_of(ctx, 6, who_, "y_scale", 1);
    const double yz = scalar_of(ctx, 7, who_, "y_zero_point", 0);
    EMBER_CHECK(ys != 0.0, InvalidArgument, who_, ": y_scale is zero");
    const DType st = ctx.input(1).dtype();
    const double factor = round_scale(st, round_scale(st, as * bs) / ys);
    const DType out = ctx.has_input(7) ? ctx.input(7).dtype() : ctx.input(0).dtype();
    EMBER_CHECK(out == DType::Int8 || out == DType::UInt8, TypeMismatch, who_, ": y must be int8 or uint8");
    Dims shape;
    const auto c = int_matmul(ctx.input(0), ctx.input(3), za, {zb}, who_, shape);
    Tensor& y = ctx.output(0, out, shape);
    const double lo = out == DType::Int8 ? -128 : 0, hi = out == DType::Int8 ? 127 : 255;
    for (size_t i = 0; i < c.size(); ++i) {
      const double v = std::min(hi, std::max(lo, std::nearbyint(double(c[i]) * factor + yz)));
      if (out == DType::Int8) y.data<int8_t>()[i] = int8_t(v);
      else y.data<uint8_t>()[i] = uint8_t(v);
    }
  }

 private:
  std::string who_;
};

class DynamicQuantizeKernel final : public Kernel {
 public:
  explicit DynamicQuantizeKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::Float32, Unsupported, who_, ": x of type ", dtype_name(x.dtype()),
                " is not supported (float32 only)");
    const float* p = x.data<float>();
    float mx = 0.f, mn = 0.f;  // the range always includes 0
    for (int64_t i = 0; i < x.numel(); ++i) {
      EMBER_CHECK(!std::isnan(p[i]), InvalidArgument, who_, ": x contains NaN");
      mx = std::max(mx, p[i]);
      mn = std::min(mn, p[i]);
    }
    const float scale = (mx == mn ? 1.0f : (mx - mn)) / 255.0f;
    const float zp0 = 0.0f - mn / scale;
    const float zp = std::nearbyint(std::min(255.0f, std::max(0.0f, zp0)));
    Tensor& y = ctx.output(0, DType::UInt8, x.shape());
    for (int64_t i = 0; i < x.numel(); ++i)
      y.data<uint8_t>()[i] = uint8_t(std::min(255.0f, std::max(0.0f, std::nearbyint(p[i] / scale) + zp)));
    if (ctx.output_count() > 1 && ctx.wants_output(1)) *ctx.output(1, DType::Float32, {}).data<float>() = scale;
    if (ctx.output_count() > 2 && ctx.wants_output(2)) *ctx.output(2, DType::UInt8, {}).data<uint8_t>() = uint8_t(zp);
  }

 private:
  std::string who_;
};

void infer_matmul_integer(InferContext& ctx) {
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(DType::Int32));
}
// [..., M, N] from A [..., M, K] and a 2-D B [K, N]; unknown shape otherwise (batched B).
void infer_matmul_integer_to_float(InferContext& ctx) {
  const TypeInfo& a = ctx.input_type(0);
  const TypeInfo& b = ctx.input_type(1);
  if (!a.has_shape || !b.has_shape || a.dims.size() < 2 || b.dims.size() != 2)
    return ctx.set_output(0, TypeInfo::tensor_unknown_shape(DType::Float32));
  TypeInfo y = with_dtype(a, DType::Float32);
  y.dims.back() = b.dims.back();
  ctx.set_output(0, y);
}
void infer_qlinear_matmul(InferContext& ctx) {
  const DType t = ctx.has_input(7) ? ctx.input_type(7).dtype : ctx.input_type(0).dtype;
  ctx.set_output(0, TypeInfo::tensor_unknown_shape(t));
}
void infer_dynamic_quantize(InferContext& ctx) {
  ctx.set_output(0, with_dtype(ctx.input_type(0), DType::UInt8));
  if (ctx.output_count() > 1) ctx.set_output(1, TypeInfo::tensor(DType::Float32, {}));
  if (ctx.output_count() > 2) ctx.set_output(2, TypeInfo::tensor(DType::UInt8, {}));
}

template <class K>
std::unique_ptr<Kernel> make(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<K>(n);
}

}  // namespace

void add_qmatmul_ops(OpRegistry& r) {
  r.add(OpSchema{"MatMulInteger", "", 10, 1 << 30, &infer_matmul_integer, &make<MatMulIntegerKernel>,
                 {DType::Int8, DType::UInt8}});
  r.add(OpSchema{"QLinearMatMul", "", 10, 1 << 30, &infer_qlinear_matmul, &make<QLinearMatMulKernel>,
                 {DType::Int8, DType::UInt8}});
  r.add(OpSchema{"MatMulIntegerToFloat", "ai.ember", 1, 1 << 30, &infer_matmul_integer_to_float,
                 &make<MatMulIntegerToFloatKernel>, {DType::Int8, DType::UInt8}});
  r.add(OpSchema{"DynamicQuantizeLinear", "", 11, 1 << 30, &infer_dynamic_quantize,
                 &make<DynamicQuantizeKernel>, {DType::Float32}});
}

}  // namespace ember::ops::quant
