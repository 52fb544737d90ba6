// One kernel class serves MatMul, Gemm and FusedMatMul: they differ only in how the operands'
// shapes are read (batching, 1-D promotion, transposes) and in the epilogue (Gemm's C, the
// fused bias / residual / activation).
#include "backends/cpu/gemm_conv/matmul_kernel.h"

#include <algorithm>

#include "backends/cpu/gemm_conv/activation.h"
#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "backends/cpu/gemm_conv/gemv_runner.h"
#include "backends/cpu/gemm_conv/node_util.h"
#include "kernels/dispatch/f32_gemv.h"
#include "kernels/dispatch/kernel_table.h"
#include "ops/op_util.h"

namespace ember::backends::gemm_conv {
namespace {

enum class Form { MatMul, Gemm, Fused };

struct Spec {
  Form form = Form::MatMul;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  ActivationAttrs act;
};

// The operands' shapes resolved for one run.
struct Shapes {
  int64_t M = 0, N = 0, K = 0;
  Dims a_batch, b_batch, batch, out;
};

class MatMulKernel final : public ops::Kernel {
 public:
  // `gemv`: the model's shapes make op(A) one row and B is a constant transposed matrix, which
  // run() then reads in place through the matrix-vector kernel (packed is empty).
  MatMulKernel(const ir::Node& node, Spec spec, const F32GemmKernels& k, std::shared_ptr<const PackedB> packed,
               const kernels::F32GemvKernels* gemv)
      : node_(node.describe()), spec_(spec), k_(k), packed_(std::move(packed)), gemv_(gemv) {
    if (packed_) packed_b_shape_ = node.inputs[1]->constant->shape();
    const char* what = spec.form == Form::MatMul ? "f32_matmul" : spec.form == Form::Gemm ? "f32_gemm" : "f32_fused_matmul";
    name_ = gemv_ ? std::string(what) + ":" + gemv_->name : path_name(what, k) + (packed_ ? "" : "+pack_b");
  }
  const char* name() const override { return name_.c_str(); }
  // A packed B is all run() uses: the constant itself is never read again.
  bool prepacked_input(size_t i) const override { return i == 1 && packed_ != nullptr; }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& a = ctx.input(0);
    const Tensor* b = packed_ ? nullptr : &ctx.input(1);
    EMBER_CHECK(a.dtype() == DType::Float32 && (!b || b->dtype() == DType::Float32), TypeMismatch, node_,
                ": A and B must be float32, given ", dtype_name(a.dtype()), " and ",
                dtype_name(b ? b->dtype() : DType::Float32));
    const Shapes s = shapes(a.shape(), b ? b->shape() : packed_b_shape_);
    Tensor& y = ctx.output(0, DType::Float32, s.out);
    if (y.numel() == 0) return;
    GemmEpilogue ep;
    set_activation(ep, spec_.act);
    float beta = 0.0f;
    float* Y = y.data<float>();
    if (spec_.form == Form::Gemm && ctx.has_input(2)) gemm_c(ctx.input(2), s, Y, ep, beta);
    if (spec_.form == Form::Fused) fused_inputs(ctx, s, ep);
    compute(ctx, a.data<float>(), b ? b->data<float>() : nullptr, Y, s, beta, ep);
  }

 private:
  Shapes shapes(const Dims& a_shape, const Dims& b_shape) const {
    Shapes s;
    if (spec_.form == Form::Gemm) {
      EMBER_CHECK(a_shape.size() == 2 && b_shape.size() == 2, ShapeMismatch, node_,
                  ": Gemm needs 2-D A and B, given ", dims_str(a_shape), " and ", dims_str(b_shape));
    }
    Dims as = a_shape, bs = b_shape;
    EMBER_CHECK(!as.empty() && !bs.empty(), ShapeMismatch, node_, ": operands must have rank >= 1, given ",
                dims_str(a_shape), " and ", dims_str(b_shape));
    const bool a1 = as.size() == 1, b1 = bs.size() == 1;
    if (a1) as.insert(as.begin(), 1);
    if (b1) bs.push_back(1);
    const size_t ar = as.size(), br = bs.size();
    s.M = spec_.trans_a ? as[ar - 1] : as[ar - 2];
    s.K = spec_.trans_a ? as[ar - 2] : as[ar - 1];
    const int64_t kb = spec_.trans_b ? bs[br - 1] : bs[br - 2];
    s.N = spec_.trans_b ? bs[br - 2] : bs[br - 1];
    EMBER_CHECK(kb == s.K, ShapeMismatch, node_, ": inner dimensions differ: A ", dims_str(a_shape), " has K=",
                s.K, ", B ", dims_str(b_shape), " has K=", kb);
    s.a_batch.assign(as.begin(), as.end() - 2);
    s.b_batch.assign(bs.begin(), bs.end() - 2);
    s.batch = ops::broadcast_shapes(s.a_batch, s.b_batch);
    s.out = s.batch;
    if (!a1) s.out.push_back(s.M);
    if (!b1) s.out.push_back(s.N);
    return s;
  }

  // Gemm's C: a bias vector when it broadcasts along one axis, else copied into Y (beta).
  void gemm_c(const Tensor& c, const Shapes& s, float* Y, GemmEpilogue& ep, float& beta) const {
    EMBER_CHECK(c.dtype() == DType::Float32, TypeMismatch, node_, ": C must be float32, given ", dtype_name(c.dtype()));
    const Dims& cs = c.shape();
    bool ok = cs.size() <= 2;
    for (size_t i = 0; ok && i < cs.size(); ++i) {
      const int64_t want = (cs.size() == 2 && i == 0) ? s.M : s.N;
      ok = cs[i] == 1 || cs[i] == want;
    }
    EMBER_CHECK(ok, ShapeMismatch, node_, ": C of shape ", dims_str(cs), " cannot be broadcast to the output shape ",
                dims_str({s.M, s.N}));
    if (spec_.beta == 0.0f) return;
    const float* cp = c.data<float>();
    const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
    if (rows == 1 || cols == 1) {
      // One vector along columns (or a scalar), or along rows: the epilogue's bias.
      const bool per_row = rows != 1;
      const int64_t n = per_row ? s.M : s.N;
      float* bias = thread_scratch(2, size_t(n));
      for (int64_t i = 0; i < n; ++i) bias[i] = spec_.beta * cp[c.numel() == 1 ? 0 : i];
      ep.bias = bias;
      ep.bias_per_row = per_row;
      return;
    }
    std::copy(cp, cp + s.M * s.N, Y);  // full [M, N]
    beta = spec_.beta;
  }

  void fused_inputs(ops::KernelContext& ctx, const Shapes& s, GemmEpilogue& ep) const {
    if (ctx.has_input(2)) {
      const Tensor& bias = ctx.input(2);
      EMBER_CHECK(bias.dtype() == DType::Float32 && bias.rank() == 1 && bias.dim(0) == s.N, ShapeMismatch, node_,
                  ": bias must be float32 of shape [", s.N, "], given ", dims_str(bias.shape()));
      ep.bias = bias.data<float>();
    }
    if (ctx.has_input(3)) {
      const Tensor& z = ctx.input(3);
      EMBER_CHECK(z.dtype() == DType::Float32 && z.shape() == s.out, ShapeMismatch, node_, ": residual Z ",
                  dims_str(z.shape()), " must have the output's shape ", dims_str(s.out));
      ep.residual = z.data<float>();
      ep.ldr = s.N;
    }
  }

  void compute(ops::KernelContext& ctx, const float* A, const float* B, float* Y, const Shapes& s, float beta,
               const GemmEpilogue& ep) const {
    const int64_t M = s.M, N = s.N, K = s.K;
    const int64_t lda = spec_.trans_a ? M : K, ldb = spec_.trans_b ? K : N;
    const int64_t nb = dims_numel(s.batch);
    const float alpha = spec_.alpha;
    ThreadPool& pool = ctx.pool();
    const bool a_dense = s.a_batch == s.batch;
    if (gemv_ && B && M == 1 && nb == 1 && s.b_batch.empty() && spec_.trans_b && beta == 0.0f) {
      // One row: B's rows read where they lie, no packing (kernels/dispatch/f32_gemv.h). With
      // M == 1, A is one contiguous row whether or not it is transposed (lda == 1 then).
      gemv(pool, *gemv_, N, K, A, B, ldb, Y, alpha, ep);
      return;
    }
    if (packed_ && a_dense && !spec_.trans_a) {
      // One weight for every batch item and A contiguous: a single [nb*M, K] x [K, N] product.
      gemm_packed_b(pool, k_, nb * M, N, K, A, lda, false, packed_->data(), Y, N, alpha, beta, ep);
      return;
    }
    std::vector<std::pair<int64_t, int64_t>> offs(static_cast<size_t>(nb));
    ops::StridedCounter it(s.batch, {ops::broadcast_strides(s.a_batch, s.batch), ops::broadcast_strides(s.b_batch, s.batch)});
    for (int64_t i = 0; i < nb; ++i, it.next()) offs[size_t(i)] = {it.offset(0) * M * K, it.offset(1) * K * N};
    const size_t pb_size = k_.packed_b_size(K, N);
    auto item_epilogue = [&](int64_t i) {
      GemmEpilogue e = ep;
      if (e.residual) e.residual += i * M * N;
      return e;
    };
    if (packed_) {
      for (int64_t i = 0; i < nb; ++i)
        gemm_packed_b(pool, k_, M, N, K, A + offs[size_t(i)].first, lda, spec_.trans_a, packed_->data(),
                      Y + i * M * N, N, alpha, beta, item_epilogue(i));
      return;
    }
    const double macs = double(M) * double(N) * double(std::max<int64_t>(K, 1));
    if (nb > 1 && nb >= pool.threads() && macs * double(nb) > 1.0e6) {
      // Enough independent products for every thread: each packs its B and runs alone.
      pool.parallel_for(nb, 1, [&](int64_t i0, int64_t i1) {
        float* pb = thread_scratch(0, std::max<size_t>(pb_size, 1));
        for (int64_t i = i0; i < i1; ++i) {
          k_.pack_b(K, N, B + offs[size_t(i)].second, ldb, spec_.trans_b, pb);
          k_.gemm_packed(M, N, K, A + offs[size_t(i)].first, lda, spec_.trans_a, pb, Y + i * M * N, N, alpha, beta,
                         item_epilogue(i));
        }
      });
      return;
    }
    float* pb = thread_scratch(0, std::max<size_t>(pb_size, 1));
    for (int64_t i = 0; i < nb; ++i) {
      k_.pack_b(K, N, B + offs[size_t(i)].second, ldb, spec_.trans_b, pb);
      gemm_packed_b(pool, k_, M, N, K, A + offs[size_t(i)].first, lda, spec_.trans_a, pb, Y + i * M * N, N, alpha,
                    beta, item_epilogue(i));
    }
  }

  std::string node_, name_;
  Spec spec_;
  const F32GemmKernels& k_;
  std::shared_ptr<const PackedB> packed_;  // shared with other nodes reading the same constant
  const kernels::F32GemvKernels* gemv_ = nullptr;
  Dims packed_b_shape_;  // the constant B's shape, when packed_
};

// Whether the model's shapes make op(A) a single row: every dimension of A but its K axis
// known and 1 (a 1-D A for MatMul).
bool one_row(const ir::Node& node, const Spec& spec) {
  const auto& dims = node.inputs[0]->type.dims;
  if (dims.empty()) return false;
  if (dims.size() == 1) return spec.form == Form::MatMul;
  const size_t k_axis = spec.trans_a ? dims.size() - 2 : dims.size() - 1;
  for (size_t i = 0; i < dims.size(); ++i)
    if (i != k_axis && !(dims[i].known() && dims[i].value == 1)) return false;
  return true;
}

// B packed at creation when it is a constant matrix (or vector) shared by every batch item;
// once per constant when several nodes read it (options.shared_packs).
std::shared_ptr<const PackedB> pack_constant_b(const ir::Node& node, const Spec& spec, const F32GemmKernels& k,
                                               const runtime::BackendOptions& options) {
  const Tensor* b = constant_input(node, 1);
  if (!b || b->dtype() != DType::Float32 || b->rank() < 1 || b->rank() > 2) return nullptr;
  if (b->rank() == 1 && spec.trans_b) return nullptr;
  if (!options.shared_packs) return std::make_shared<const PackedB>(k, *b, spec.trans_b, options.pool);
  std::shared_ptr<const void>& slot = (*options.shared_packs)[{node.inputs[1], &k, spec.trans_b ? 1 : 0}];
  if (!slot) slot = std::make_shared<const PackedB>(k, *b, spec.trans_b, options.pool);
  return std::static_pointer_cast<const PackedB>(slot);
}

std::unique_ptr<ops::Kernel> make(const ir::Node& node, const Spec& spec, const runtime::BackendOptions& options) {
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (has_input(node, i) && !f32_with_rank(node, i)) return nullptr;
  if (!f32_with_rank(node, 0) || !f32_with_rank(node, 1)) return nullptr;
  const F32GemmKernels& k = *kernels::kernel_table().f32_gemm;
  if (!k.pack_b || !k.gemm_packed || !k.packed_b_size) return nullptr;
  // One row of A times a constant transposed matrix ([N, K], a CNN's classifier): every weight
  // is used once per run, so packing it would only add a copy at creation (MobileNetV2's
  // classifier: 5 MB packed, ~1 ms of its saved-model load); the matrix-vector kernel reads
  // it in place, from the model file's mapping when it was saved by `ember optimize`, as fast
  // as the packed GEMM runs (kernels/x86/f32_gemv.h). An untransposed [K, N] B keeps packing
  // (no layout-free loop matched the GEMM there). Gemm's full-matrix C needs M > 1 rows, so
  // beta is always 0 here.
  const Tensor* b = constant_input(node, 1);
  if (spec.trans_b && b && b->dtype() == DType::Float32 && b->rank() == 2 && one_row(node, spec))
    return std::make_unique<MatMulKernel>(node, spec, k, nullptr, &kernels::f32_gemv_kernels());
  return std::make_unique<MatMulKernel>(node, spec, k, pack_constant_b(node, spec, k, options), nullptr);
}

bool flag(const ir::Node& node, const char* name) {
  const int64_t v = node.attr_int(name, 0);
  EMBER_CHECK(v == 0 || v == 1, InvalidModel, node.describe(), ": ", name, " must be 0 or 1, given ", v);
  return v == 1;
}

}  // namespace

std::unique_ptr<ops::Kernel> make_matmul(const ir::Node& node, const runtime::BackendOptions& options) {
  Spec s;
  s.form = Form::MatMul;
  return make(node, s, options);
}

std::unique_ptr<ops::Kernel> make_gemm(const ir::Node& node, const runtime::BackendOptions& options) {
  // Opsets before 7 have their own C broadcasting rules (attribute 'broadcast'): reference.
  // A 'broadcast' attribute from opset >= 7 is an error the reference kernel reports.
  if (node.opset < 7 || node.has_attr("broadcast")) return nullptr;
  if (!f32_with_rank(node, 0) || node.inputs[0]->type.dims.size() != 2) return nullptr;
  Spec s;
  s.form = Form::Gemm;
  s.trans_a = flag(node, "transA");
  s.trans_b = flag(node, "transB");
  s.alpha = node.attr_float("alpha", 1.0f);
  s.beta = node.attr_float("beta", 1.0f);
  return make(node, s, options);
}

std::unique_ptr<ops::Kernel> make_fused_matmul(const ir::Node& node, const runtime::BackendOptions& options) {
  if (!f32_with_rank(node, 0) || !f32_with_rank(node, 1)) return nullptr;
  if (node.inputs[0]->type.dims.size() < 2 || node.inputs[1]->type.dims.size() < 2) return nullptr;
  Spec s;
  s.form = Form::Fused;
  s.trans_a = flag(node, "transA");
  s.trans_b = flag(node, "transB");
  s.alpha = node.attr_float("alpha", 1.0f);
  s.act = parse_activation(node);
  return make(node, s, options);
}

}  // namespace ember::backends::gemm_conv
