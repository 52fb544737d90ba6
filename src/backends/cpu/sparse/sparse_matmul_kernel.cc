#include "backends/cpu/sparse/sparse_matmul_kernel.h"

#include <algorithm>
#include <vector>

#include "backends/cpu/gemm_conv/gemm_runner.h"
#include "kernels/dispatch/f32_spmm.h"
#include "kernels/dispatch/f32_transpose.h"
#include "kernels/generic/spmm.h"
#include "ops/ember/sparse_matmul.h"

namespace ember::backends::sparse {
namespace {

using kernels::CsrStorage;

const Tensor* constant_input(const ir::Node& node, size_t i) {
  if (i >= node.inputs.size() || !node.inputs[i] || node.inputs[i]->is_input) return nullptr;
  return node.inputs[i]->constant ? &*node.inputs[i]->constant : nullptr;
}

// dst [cols, rows] = src [rows, cols]^T, blocks of rows split over the pool.
void transpose(ThreadPool& pool, int64_t rows, int64_t cols, const float* src, float* dst) {
  const kernels::F32TransposeFn fn = kernels::f32_transpose().fn;
  auto body = [&](int64_t r0, int64_t r1) { fn(r1 - r0, cols, src + r0 * cols, cols, dst + r0, rows); };
  if (pool.threads() <= 1 || rows * cols < (int64_t(1) << 15)) return body(0, rows);
  pool.parallel_for(rows, 32, body);
}

class SparseMatMulKernel final : public ops::Kernel {
 public:
  SparseMatMulKernel(const ir::Node& node, ops::SparseMatMulAttrs a, CsrStorage csr, std::vector<float> bias)
      : node_(node.describe()), a_(a), csr_(std::move(csr)), bias_(std::move(bias)),
        k_(kernels::f32_spmm_kernels()) {
    name_ = std::string(a_.nchw ? "sparse_conv1x1:" : "sparse_matmul:") + k_.name;
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::Float32, TypeMismatch, node_, ": X must be float32, given ", dtype_name(x.dtype()));
    const Dims ys = ops::sparse_matmul_output_shape(node_, a_, x.shape());
    Tensor& y = ctx.output(0, DType::Float32, ys);
    if (y.numel() == 0) return;
    const float* X = x.data<float>();
    float* Y = y.data<float>();
    if (a_.nchw) {
      int64_t inner = 1;
      for (size_t i = 2; i < ys.size(); ++i) inner *= ys[i];
      for (int64_t n = 0; n < ys[0]; ++n) product(ctx, inner, X + n * a_.cols * inner, Y + n * a_.rows * inner);
      return;
    }
    // Y[M, rows] = X[M, cols] W^T: the kernel wants the vector axis (M) contiguous.
    // Both transposed copies live in per-thread scratch (uninitialised: every element is written).
    const int64_t M = x.numel() / a_.cols;
    float* xt = gemm_conv::thread_scratch(0, size_t(x.numel()));
    float* yt = gemm_conv::thread_scratch(1, size_t(y.numel()));
    transpose(ctx.pool(), M, a_.cols, X, xt);
    product(ctx, M, xt, yt);
    transpose(ctx.pool(), a_.rows, M, yt, Y);
  }

 private:
  // C[rows, P] = W B[cols, P] + bias, rows split over the pool.
  void product(ops::KernelContext& ctx, int64_t P, const float* B, float* C) const {
    const kernels::CsrMatrix w = csr_.view();
    const float* bias = bias_.empty() ? nullptr : bias_.data();
    const double work = double(csr_.nnz()) * double(P);
    ThreadPool& pool = ctx.pool();
    if (pool.threads() <= 1 || work < 2.0e5) {
      k_.spmm(w, 0, a_.rows, P, B, P, bias, C, P);
      return;
    }
    const int64_t grain = std::max<int64_t>(1, a_.rows / (4 * pool.threads()));
    pool.parallel_for(a_.rows, grain, [&](int64_t r0, int64_t r1) { k_.spmm(w, r0, r1, P, B, P, bias, C, P); });
  }

  std::string node_, name_;
  ops::SparseMatMulAttrs a_;
  CsrStorage csr_;
  std::vector<float> bias_;
  const kernels::F32SpmmKernels& k_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_sparse_matmul(const ir::Node& node, const runtime::BackendOptions&) {
  const Tensor* values = constant_input(node, 1);
  const Tensor* cols = constant_input(node, 2);
  const Tensor* ptr = constant_input(node, 3);
  if (!values || !cols || !ptr) return nullptr;
  const bool has_bias = node.inputs.size() > 4 && node.inputs[4];
  const Tensor* bias = has_bias ? constant_input(node, 4) : nullptr;
  if (has_bias && !bias) return nullptr;
  const ops::SparseMatMulAttrs a = ops::parse_sparse_matmul(node);
  ops::check_sparse_weight(node.describe(), a, *values, *cols, *ptr);
  CsrStorage csr;
  csr.rows = a.rows;
  csr.cols = a.cols;
  csr.row_ptr.assign(ptr->data<int32_t>(), ptr->data<int32_t>() + ptr->numel());
  csr.col_idx.assign(cols->data<int32_t>(), cols->data<int32_t>() + cols->numel());
  csr.values.assign(values->data<float>(), values->data<float>() + values->numel());
  std::vector<float> b;
  if (bias) {
    EMBER_CHECK(bias->dtype() == DType::Float32 && bias->numel() == a.rows, ShapeMismatch, node.describe(),
                ": bias must be float32 [", a.rows, "], given ", dims_str(bias->shape()));
    b.assign(bias->data<float>(), bias->data<float>() + bias->numel());
  }
  return std::make_unique<SparseMatMulKernel>(node, a, std::move(csr), std::move(b));
}

}  // namespace ember::backends::sparse
