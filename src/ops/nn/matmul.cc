// MatMul (numpy semantics: batched, broadcast batch dims, 1-D operands promoted then
// squeezed) and Gemm (2-D, transposes, alpha/beta, unidirectionally broadcast C).
#include <algorithm>

#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using nn::parallel_gemm;

// Calls f(T{}) for the element types MatMul/Gemm compute natively; half types are staged
// through float by the callers, everything else is Unsupported.
template <class F>
void visit_gemm_dtype(DType t, const std::string& node, F&& f) {
  switch (t) {
    case DType::Float32: return f(float{});
    case DType::Float64: return f(double{});
    case DType::Int32: return f(int32_t{});
    case DType::Int64: return f(int64_t{});
    case DType::UInt32: return f(uint32_t{});
    case DType::UInt64: return f(uint64_t{});
    default: break;
  }
  fail(Status::Unsupported, node, ": element type ", dtype_name(t), " is not supported");
}

void check_same_dtype(const std::string& node, DType a, DType b, const char* bname) {
  EMBER_CHECK(a == b, TypeMismatch, node, ": input ", bname, " has type ", dtype_name(b),
              ", expected ", dtype_name(a), " (same as input A)");
}

// ---- MatMul ---------------------------------------------------------------------------

void infer_matmul(InferContext& ctx) {
  const TypeInfo& a = ctx.input_type(0);
  const TypeInfo& b = ctx.input_type(1);
  check_same_dtype(ctx.node().describe(), a.dtype, b.dtype, "B");
  TypeInfo out = TypeInfo::tensor_unknown_shape(a.dtype);
  if (!a.has_shape || !b.has_shape) return ctx.set_output(0, out);
  EMBER_CHECK(!a.dims.empty() && !b.dims.empty(), ShapeMismatch, ctx.node().describe(),
              ": MatMul operands must have rank >= 1, given ", a.str(), " and ", b.str());
  std::vector<ir::Dim> ad = a.dims, bd = b.dims;
  const bool a1 = ad.size() == 1, b1 = bd.size() == 1;
  if (a1) ad.insert(ad.begin(), ir::Dim::of(1));
  if (b1) bd.push_back(ir::Dim::of(1));
  const ir::Dim& ka = ad[ad.size() - 1];
  const ir::Dim& kb = bd[bd.size() - 2];
  EMBER_CHECK(!ka.known() || !kb.known() || ka.value == kb.value, ShapeMismatch,
              ctx.node().describe(), ": inner dimensions differ: A ", a.str(), " has K=", ka.value,
              ", B ", b.str(), " has K=", kb.value);
  TypeInfo ba, bb, batch;
  ba.has_shape = bb.has_shape = true;
  ba.dims.assign(ad.begin(), ad.end() - 2);
  bb.dims.assign(bd.begin(), bd.end() - 2);
  broadcast_types(ba, bb, batch);
  out.has_shape = true;
  out.dims = batch.dims;
  if (!a1) out.dims.push_back(ad[ad.size() - 2]);
  if (!b1) out.dims.push_back(bd.back());
  ctx.set_output(0, out);
}

class MatMulKernel final : public Kernel {
 public:
  explicit MatMulKernel(const ir::Node& node) : node_(node.describe()) {}
  const char* name() const override { return "eigen"; }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    check_same_dtype(node_, a.dtype(), b.dtype(), "B");
    EMBER_CHECK(a.rank() >= 1 && b.rank() >= 1, ShapeMismatch, node_,
                ": MatMul operands must have rank >= 1, given ", dims_str(a.shape()), " and ",
                dims_str(b.shape()));
    Dims as = a.shape(), bs = b.shape();
    const bool a1 = as.size() == 1, b1 = bs.size() == 1;
    if (a1) as.insert(as.begin(), 1);
    if (b1) bs.push_back(1);
    const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
    EMBER_CHECK(bs[bs.size() - 2] == K, ShapeMismatch, node_,
                ": inner dimensions differ: A ", dims_str(a.shape()), " has K=", K, ", B ",
                dims_str(b.shape()), " has K=", bs[bs.size() - 2]);
    const Dims ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
    const Dims batch = nn::broadcast_named(ab, bb, node_);
    Dims out_shape = batch;
    if (!a1) out_shape.push_back(M);
    if (!b1) out_shape.push_back(N);
    Tensor& y = ctx.output(0, a.dtype(), out_shape);
    if (y.numel() == 0) return;

    if (nn::is_half_like(a.dtype())) {
      Tensor af = nn::to_f32(a), bf = nn::to_f32(b), yf(DType::Float32, out_shape);
      compute<float>(ctx, af.data<float>(), bf.data<float>(), yf.data<float>(), ab, bb, batch, M, N, K);
      nn::store_f32(yf, y);
      return;
    }
    visit_gemm_dtype(a.dtype(), node_, [&](auto tag) {
      using T = decltype(tag);
      compute<T>(ctx, static_cast<const T*>(a.raw()), static_cast<const T*>(b.raw()),
                 static_cast<T*>(y.raw()), ab, bb, batch, M, N, K);
    });
  }

 private:
  template <class T>
  void compute(KernelContext& ctx, const T* A, const T* B, T* Y, const Dims& ab, const Dims& bb,
               const Dims& batch, int64_t M, int64_t N, int64_t K) const {
    const int64_t nb = dims_numel(batch);
    Dims sa = broadcast_strides(ab, batch), sb = broadcast_strides(bb, batch);
    const bool b_shared = std::all_of(sb.begin(), sb.end(), [](int64_t s) { return s == 0; });
    if (b_shared && ab == batch) {
      // B is the same matrix for every batch and A is dense: one [nb*M, K] x [K, N] product.
      parallel_gemm<T>(ctx.pool(), nb * M, N, K, A, K, false, B, N, false, Y, N, T(1), T(0));
      return;
    }
    std::vector<std::pair<int64_t, int64_t>> offs(static_cast<size_t>(nb));
    StridedCounter it(batch, {sa, sb});
    for (int64_t i = 0; i < nb; ++i, it.next()) offs[size_t(i)] = {it.offset(0) * M * K, it.offset(1) * K * N};
    if (nb >= ctx.pool().threads()) {
      // Enough independent products to keep every thread busy: one serial GEMM per batch.
      ctx.pool().parallel_for(nb, 1, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i)
          kernels::gemm<T>(M, N, K, A + offs[size_t(i)].first, K, false, B + offs[size_t(i)].second,
                           N, false, Y + i * M * N, N, T(1), T(0));
      });
    } else {
      for (int64_t i = 0; i < nb; ++i)
        parallel_gemm<T>(ctx.pool(), M, N, K, A + offs[size_t(i)].first, K, false,
                         B + offs[size_t(i)].second, N, false, Y + i * M * N, N, T(1), T(0));
    }
  }

  std::string node_;
};

// ---- Gemm -----------------------------------------------------------------------------

struct GemmAttrs {
  bool trans_a, trans_b;
  float alpha, beta;
  bool c_exact;  // before opset 7 without 'broadcast': C must be exactly [M, N]
};

void infer_gemm(InferContext& ctx) {
  const TypeInfo& a = ctx.input_type(0);
  const TypeInfo& b = ctx.input_type(1);
  check_same_dtype(ctx.node().describe(), a.dtype, b.dtype, "B");
  TypeInfo out = TypeInfo::tensor_unknown_shape(a.dtype);
  if (a.has_shape && b.has_shape) {
    EMBER_CHECK(a.dims.size() == 2 && b.dims.size() == 2, ShapeMismatch, ctx.node().describe(),
                ": Gemm needs 2-D A and B, given ", a.str(), " and ", b.str());
    const bool ta = ctx.node().attr_int("transA", 0) != 0, tb = ctx.node().attr_int("transB", 0) != 0;
    const ir::Dim& ka = a.dims[ta ? 0 : 1];
    const ir::Dim& kb = b.dims[tb ? 1 : 0];
    EMBER_CHECK(!ka.known() || !kb.known() || ka.value == kb.value, ShapeMismatch,
                ctx.node().describe(), ": inner dimensions differ: op(A) from ", a.str(),
                " has K=", ka.value, ", op(B) from ", b.str(), " has K=", kb.value);
    out.has_shape = true;
    out.dims = {a.dims[ta ? 1 : 0], b.dims[tb ? 0 : 1]};
  }
  ctx.set_output(0, out);
}

class GemmKernel final : public Kernel {
 public:
  GemmKernel(const ir::Node& node, GemmAttrs at) : node_(node.describe()), at_(at) {}
  const char* name() const override { return "eigen"; }

  void run(KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor& b = ctx.input(1);
    check_same_dtype(node_, a.dtype(), b.dtype(), "B");
    EMBER_CHECK(a.rank() == 2 && b.rank() == 2, ShapeMismatch, node_,
                ": Gemm needs 2-D A and B, given ", dims_str(a.shape()), " and ", dims_str(b.shape()));
    const int64_t M = a.dim(at_.trans_a ? 1 : 0), K = a.dim(at_.trans_a ? 0 : 1);
    const int64_t K2 = b.dim(at_.trans_b ? 1 : 0), N = b.dim(at_.trans_b ? 0 : 1);
    EMBER_CHECK(K == K2, ShapeMismatch, node_, ": inner dimensions differ: op(A) from ",
                dims_str(a.shape()), " has K=", K, ", op(B) from ", dims_str(b.shape()), " has K=", K2);
    const Tensor* c = ctx.has_input(2) ? &ctx.input(2) : nullptr;
    if (c) {
      check_same_dtype(node_, a.dtype(), c->dtype(), "C");
      const Dims& cs = c->shape();
      bool ok = cs.size() <= 2;
      for (size_t i = 0; ok && i < cs.size(); ++i) {
        const int64_t want = (cs.size() == 2 && i == 0) ? M : N;
        ok = cs[i] == 1 || cs[i] == want;
      }
      EMBER_CHECK(ok, ShapeMismatch, node_, ": C of shape ",
                  dims_str(c->shape()), " cannot be broadcast to the output shape ", dims_str({M, N}));
      const Dims mn = {M, N};
      EMBER_CHECK(!at_.c_exact || cs == mn, ShapeMismatch, node_, ": C of shape ", dims_str(cs),
                  " must be exactly ", dims_str(mn), " before opset 7 unless 'broadcast' is set");
    }
    Tensor& y = ctx.output(0, a.dtype(), {M, N});
    if (y.numel() == 0) return;
    if (nn::is_half_like(a.dtype())) {
      Tensor yf(DType::Float32, {M, N});
      Tensor cf = c ? nn::to_f32(*c) : Tensor();
      compute<float>(ctx, nn::to_f32(a).data<float>(), nn::to_f32(b).data<float>(),
                     c ? &cf : nullptr, yf.data<float>(), M, N, K);
      nn::store_f32(yf, y);
      return;
    }
    visit_gemm_dtype(a.dtype(), node_, [&](auto tag) {
      using T = decltype(tag);
      compute<T>(ctx, static_cast<const T*>(a.raw()), static_cast<const T*>(b.raw()), c,
                 static_cast<T*>(y.raw()), M, N, K);
    });
  }

 private:
  template <class T>
  void compute(KernelContext& ctx, const T* A, const T* B, const Tensor* c, T* Y, int64_t M,
               int64_t N, int64_t K) const {
    const T alpha = T(at_.alpha), beta = T(at_.beta);
    T acc_beta = T(0);
    if (c) {
      // Y starts as beta*C broadcast to [M, N] (literally, so NaN/Inf in C propagate as the
      // spec's formula says), then the product is accumulated onto it.
      const Dims st = broadcast_strides(c->shape(), {M, N});
      const T* cp = static_cast<const T*>(c->raw());
      for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) Y[m * N + n] = T(beta * cp[m * st[0] + n * st[1]]);
      acc_beta = T(1);
    }
    const int64_t lda = at_.trans_a ? M : K, ldb = at_.trans_b ? K : N;
    parallel_gemm<T>(ctx.pool(), M, N, K, A, lda, at_.trans_a, B, ldb, at_.trans_b, Y, N, alpha, acc_beta);
  }

  std::string node_;
  GemmAttrs at_;
};

std::unique_ptr<Kernel> make_matmul(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<MatMulKernel>(node);
}

std::unique_ptr<Kernel> make_gemm(const ir::Node& node, KernelFactoryContext&) {
  // Gemm 1-6: C is required and broadcasts (unidirectionally, as from opset 7) only when
  // 'broadcast' is non-zero; otherwise it must already be [M, N].
  const bool legacy = node.opset < 7;
  GemmAttrs at{node.attr_int("transA", 0) != 0, node.attr_int("transB", 0) != 0,
               node.attr_float("alpha", 1.0f), node.attr_float("beta", 1.0f),
               legacy && node.attr_int("broadcast", 0) == 0};
  EMBER_CHECK(legacy || !node.has_attr("broadcast"), InvalidModel, node.describe(),
              ": attribute 'broadcast' only exists before opset 7");
  EMBER_CHECK(!legacy || (node.inputs.size() >= 3 && node.inputs[2] != nullptr), InvalidModel,
              node.describe(), ": input C is required before opset 7");
  return std::make_unique<GemmKernel>(node, at);
}

const std::vector<DType> kGemmTypes = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64,
                                       DType::Int32,   DType::Int64,   DType::UInt32,   DType::UInt64};

}  // namespace

void add_matmul_ops(OpRegistry& r) {
  r.add({"MatMul", "", 1, 1 << 30, infer_matmul, make_matmul, kGemmTypes});
  r.add({"Gemm", "", 1, 1 << 30, infer_gemm, make_gemm, kGemmTypes});
}

}  // namespace ember::ops
