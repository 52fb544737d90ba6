// Einsum. Two-operand equations are mapped onto batched GEMM: labels are classified as batch
// (in both operands and the output), M (first operand and output), N (second and output) or
// K (not in the output: contracted, or summed within one operand, whose stride in the other
// operand is then 0). Each operand is packed into [batch, M, K] / [batch, K, N] through its
// label strides, which also takes care of diagonals ("ii") and broadcast ellipsis dims. Other
// operand counts use a direct loop over every label combination (fine for small tensors).
#include <algorithm>
#include <type_traits>

#include "kernels/generic/gemm.h"
#include "ops/nn/einsum_parse.h"
#include "ops/nn/nn_ops.h"
#include "ops/nn/nn_util.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using nn::EinsumEquation;
using nn::EinsumPlan;

// Accumulator type: float for float/half types, double for double, int64 for integers.
template <class T>
using AccOf = std::conditional_t<std::is_same_v<T, double>, double,
                                 std::conditional_t<std::is_integral_v<T>, int64_t, float>>;

// Copies `src` into a dense row-major buffer whose dims are the sizes of `labels`, reading
// through the operand's per-label strides.
template <class T, class A>
void pack(const T* src, const std::vector<int64_t>& stride, const EinsumPlan& p, const std::vector<int>& labels,
          A* dst) {
  Dims shape, st;
  for (int l : labels) {
    shape.push_back(p.size[size_t(l)]);
    st.push_back(stride[size_t(l)]);
  }
  const int64_t n = dims_numel(shape);
  StridedCounter it(shape, {st});
  for (int64_t i = 0; i < n; ++i, it.next()) dst[i] = A(src[it.offset(0)]);
}

class EinsumKernel final : public Kernel {
 public:
  EinsumKernel(const ir::Node& node, EinsumEquation eq) : node_(node.describe()), eq_(std::move(eq)) {}

  void run(KernelContext& ctx) const override {
    std::vector<Dims> shapes;
    const size_t n = eq_.inputs.size();
    for (size_t k = 0; k < n; ++k) {
      shapes.push_back(ctx.input(k).shape());
      EMBER_CHECK(ctx.input(k).dtype() == ctx.input(0).dtype(), TypeMismatch, node_, ": input ", k, " has type ",
                  dtype_name(ctx.input(k).dtype()), ", expected ", dtype_name(ctx.input(0).dtype()));
    }
    const EinsumPlan p = nn::plan_einsum(eq_, shapes, node_);
    const DType dt = ctx.input(0).dtype();
    EMBER_CHECK(dt != DType::Bool && dt != DType::String, Unsupported, node_, ": element type ",
                dtype_name(dt), " is not supported");
    Tensor& y = ctx.output(0, dt, p.out_shape);
    visit_numeric_dtype(dt, [&](auto tag) {
      using T = decltype(tag);
      using A = AccOf<T>;
      std::vector<const T*> in;
      for (size_t k = 0; k < n; ++k) in.push_back(static_cast<const T*>(ctx.input(k).raw()));
      T* out = static_cast<T*>(y.raw());
      if (n == 2) two_operands<T, A>(ctx, p, in[0], in[1], out);
      else direct<T, A>(p, in, out);
    });
  }

 private:
  template <class T, class A>
  void two_operands(KernelContext& ctx, const EinsumPlan& p, const T* a, const T* b, T* y) const {
    std::vector<int> batch, ms, ns, ks;
    std::vector<bool> in_out(size_t(p.n_labels), false);
    for (int l : p.output) in_out[size_t(l)] = true;
    for (int l = 0; l < p.n_labels; ++l) {
      const bool ua = p.uses[0][size_t(l)], ub = p.uses[1][size_t(l)];
      if (!ua && !ub) continue;
      if (!in_out[size_t(l)]) ks.push_back(l);
      else if (ua && ub) batch.push_back(l);
      else if (ua) ms.push_back(l);
      else ns.push_back(l);
    }
    auto prod = [&](const std::vector<int>& ls) {
      int64_t r = 1;
      for (int l : ls) r *= p.size[size_t(l)];
      return r;
    };
    const int64_t nb = prod(batch), M = prod(ms), N = prod(ns), K = prod(ks);
    auto cat = [](std::vector<int> x, const std::vector<int>& y2, const std::vector<int>& z) {
      x.insert(x.end(), y2.begin(), y2.end());
      x.insert(x.end(), z.begin(), z.end());
      return x;
    };
    std::vector<A> pa(size_t(nb * M * K)), pb(size_t(nb * K * N)), pc(size_t(nb * M * N));
    pack<T, A>(a, p.stride[0], p, cat(batch, ms, ks), pa.data());
    pack<T, A>(b, p.stride[1], p, cat(batch, ks, ns), pb.data());
    auto gemm_one = [&](int64_t i, bool par) {
      const A* ap = pa.data() + i * M * K;
      const A* bp = pb.data() + i * K * N;
      A* cp = pc.data() + i * M * N;
      if (par) nn::parallel_gemm<A>(ctx.pool(), M, N, K, ap, K, false, bp, N, false, cp, N, A(1), A(0));
      else kernels::gemm<A>(M, N, K, ap, K, false, bp, N, false, cp, N, A(1), A(0));
    };
    if (nb >= ctx.pool().threads())
      ctx.pool().parallel_for(nb, 1, [&](int64_t s, int64_t e) {
        for (int64_t i = s; i < e; ++i) gemm_one(i, false);
      });
    else
      for (int64_t i = 0; i < nb; ++i) gemm_one(i, true);
    // Scatter [batch, M, N] into the output's label order.
    const std::vector<int> order = cat(batch, ms, ns);
    std::vector<int64_t> ostride(size_t(p.n_labels), 0);
    const Dims ost = dims_strides(p.out_shape);
    for (size_t i = 0; i < p.output.size(); ++i) ostride[size_t(p.output[i])] = ost[i];
    Dims shape, st;
    for (int l : order) {
      shape.push_back(p.size[size_t(l)]);
      st.push_back(ostride[size_t(l)]);
    }
    StridedCounter it(shape, {st});
    for (size_t i = 0; i < pc.size(); ++i, it.next()) y[it.offset(0)] = T(pc[i]);
  }

  template <class T, class A>
  void direct(const EinsumPlan& p, const std::vector<const T*>& in, T* y) const {
    // Loop order: output labels, then every other used label; strides 0 where unused.
    std::vector<int> order = p.output;
    for (int l = 0; l < p.n_labels; ++l) {
      if (std::find(order.begin(), order.end(), l) != order.end()) continue;
      bool used = false;
      for (const auto& u : p.uses) used = used || u[size_t(l)];
      if (used) order.push_back(l);
    }
    Dims shape;
    for (int l : order) shape.push_back(p.size[size_t(l)]);
    std::vector<Dims> strides(in.size() + 1);
    const Dims ost = dims_strides(p.out_shape);
    for (size_t i = 0; i < order.size(); ++i) {
      for (size_t k = 0; k < in.size(); ++k) strides[k].push_back(p.stride[k][size_t(order[i])]);
      strides[in.size()].push_back(i < p.output.size() ? ost[i] : 0);
    }
    const int64_t out_n = dims_numel(p.out_shape), total = dims_numel(shape);
    std::vector<A> acc(size_t(out_n), A(0));
    StridedCounter it(shape, strides);
    for (int64_t i = 0; i < total; ++i, it.next()) {
      A v = A(1);
      for (size_t k = 0; k < in.size(); ++k) v = A(v * A(in[k][it.offset(k)]));
      acc[size_t(it.offset(in.size()))] += v;
    }
    for (int64_t i = 0; i < out_n; ++i) y[i] = T(acc[size_t(i)]);
  }

  std::string node_;
  EinsumEquation eq_;
};

void infer_einsum(InferContext& ctx) {
  const std::string node = ctx.node().describe();
  const EinsumEquation eq = nn::parse_einsum(ctx.node().attr_string("equation", ""), ctx.input_count(), node);
  const DType dt = ctx.input_type(0).dtype;
  std::vector<Dims> shapes;
  bool known = true;
  for (size_t k = 0; k < ctx.input_count(); ++k) {
    const TypeInfo& t = ctx.input_type(k);
    EMBER_CHECK(t.dtype == dt, TypeMismatch, node, ": input ", k, " has type ", dtype_name(t.dtype), ", expected ",
                dtype_name(dt));
    known = known && t.is_static();
    if (known) shapes.push_back(t.static_dims());
  }
  if (!known) return ctx.set_output(0, TypeInfo::tensor_unknown_shape(dt));
  ctx.set_output(0, TypeInfo::tensor(dt, nn::plan_einsum(eq, shapes, node).out_shape));
}

std::unique_ptr<Kernel> make_einsum(const ir::Node& node, KernelFactoryContext&) {
  const std::string e = node.attr_string("equation", "");
  EMBER_CHECK(!e.empty(), InvalidModel, node.describe(), ": attribute 'equation' is required");
  return std::make_unique<EinsumKernel>(node, nn::parse_einsum(e, node.explicit_input_count(), node.describe()));
}

}  // namespace

void add_einsum_ops(OpRegistry& r) {
  r.add({"Einsum", "", 12, 1 << 30, infer_einsum, make_einsum,
         {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int8, DType::UInt8, DType::Int16,
          DType::UInt16, DType::Int32, DType::UInt32, DType::Int64, DType::UInt64}});
}

}  // namespace ember::ops
