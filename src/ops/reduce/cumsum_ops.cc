// CumSum (opset 11; 14 only widens the type list) and CumProd (opset 26): running sums or
// products along the axis given by the second input, optionally exclusive (each output
// excludes its own element: 0 resp. 1 first) and/or reversed. They run in the wide accumulator
// type (double for floating inputs), like the Reduce ops; integer products wrap modulo 2^64
// (computed unsigned, so no signed-overflow UB) before narrowing to the element type.
#include "ops/op_util.h"
#include "ops/reduce/reduce_ops.h"
#include "ops/reduce/reducers.h"

namespace ember::ops::reduce {
namespace {

void check_dtype(const ir::Node& node, DType t) {
  const bool ok = dtype_is_float(t) || t == DType::Int32 || t == DType::Int64 || t == DType::UInt32 ||
                  t == DType::UInt64;
  EMBER_CHECK(ok, Unsupported, node.describe(), ": input type ", dtype_name(t), " is not supported");
}

void infer_cumsum(InferContext& ctx) {
  const TypeInfo& in = ctx.input_type(0);
  if (in.dtype != DType::Undefined) check_dtype(ctx.node(), in.dtype);
  const TypeInfo& axis = ctx.input_type(1);
  EMBER_CHECK(axis.dtype == DType::Undefined || axis.dtype == DType::Int32 || axis.dtype == DType::Int64,
              TypeMismatch, ctx.node().describe(), ": axis must be int32 or int64, got ", dtype_name(axis.dtype));
  ctx.set_output(0, in);
}

template <bool Prod, class W>
W combine(W acc, W x) {
  if constexpr (!Prod) return acc + x;
  else if constexpr (std::is_integral_v<W>) return W(uint64_t(acc) * uint64_t(x));
  else return acc * x;
}

template <class T, bool Prod>
void cumulate(const T* in, T* out, int64_t outer, int64_t n, int64_t inner, bool exclusive, bool reverse,
              ThreadPool& pool) {
  using W = wide_t<T>;
  const W identity = Prod ? W(1) : W(0);
  constexpr int64_t block = 256;
  const int64_t blocks = (inner + block - 1) / block;
  pool.parallel_for(outer * blocks, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(n * std::min(inner, block), 1)),
                    [&](int64_t b, int64_t e) {
                      std::vector<W> acc(size_t(std::min(inner, block)));
                      for (int64_t t = b; t < e; ++t) {
                        const int64_t o = t / blocks, c0 = (t % blocks) * block;
                        const int64_t width = std::min(block, inner - c0);
                        std::fill(acc.begin(), acc.begin() + width, identity);
                        for (int64_t k = 0; k < n; ++k) {
                          const int64_t r = reverse ? n - 1 - k : k;
                          const int64_t off = (o * n + r) * inner + c0;
                          for (int64_t c = 0; c < width; ++c) {
                            const W x = W(in[off + c]);
                            if (exclusive) {
                              out[off + c] = narrow<T>(acc[size_t(c)]);
                              acc[size_t(c)] = combine<Prod>(acc[size_t(c)], x);
                            } else {
                              acc[size_t(c)] = combine<Prod>(acc[size_t(c)], x);
                              out[off + c] = narrow<T>(acc[size_t(c)]);
                            }
                          }
                        }
                      }
                    });
}

class CumSumKernel final : public Kernel {
 public:
  CumSumKernel(const ir::Node& node, bool prod)
      : label_(node_label(node)), prod_(prod),
        exclusive_(node.attr_int("exclusive", 0) != 0),
        reverse_(node.attr_int("reverse", 0) != 0) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Tensor& axis_t = ctx.input(1);
    check_dtype(label_, x.dtype());
    EMBER_CHECK(axis_t.numel() == 1 && axis_t.rank() <= 1, InvalidArgument, label_.describe(),
                ": axis must be a scalar, got shape ", dims_str(axis_t.shape()));
    EMBER_CHECK(axis_t.dtype() == DType::Int32 || axis_t.dtype() == DType::Int64, TypeMismatch,
                label_.describe(), ": axis must be int32 or int64, got ", dtype_name(axis_t.dtype()));
    EMBER_CHECK(x.rank() >= 1, InvalidArgument, label_.describe(), ": input must have rank >= 1, got a scalar");
    const int64_t axis = normalize_axis(axis_t.int_at(0), int64_t(x.rank()), label_);
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < x.rank(); ++i) {
      if (int64_t(i) < axis) outer *= x.dim(i);
      if (int64_t(i) > axis) inner *= x.dim(i);
    }
    const int64_t n = x.dim(size_t(axis));
    Tensor& y = ctx.output(0, x.dtype(), x.shape());
    if (x.numel() == 0) return;
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
        fail(Status::Unsupported, label_.describe(), ": input type ", dtype_name(x.dtype()), " is not supported");
      } else {
        if (prod_) cumulate<T, true>(x.data<T>(), y.data<T>(), outer, n, inner, exclusive_, reverse_, ctx.pool());
        else cumulate<T, false>(x.data<T>(), y.data<T>(), outer, n, inner, exclusive_, reverse_, ctx.pool());
      }
    });
  }

 private:
  ir::Node label_;
  bool prod_;
  bool exclusive_, reverse_;
};

std::unique_ptr<Kernel> make_cumsum(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<CumSumKernel>(node, false);
}

std::unique_ptr<Kernel> make_cumprod(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<CumSumKernel>(node, true);
}

}  // namespace

void add_cumsum_ops(OpRegistry& r) {
  r.add(OpSchema{"CumSum", "", 11, 1 << 30, infer_cumsum, make_cumsum,
                 {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int32,
                  DType::Int64, DType::UInt32, DType::UInt64}});
  r.add(OpSchema{"CumProd", "", 26, 1 << 30, infer_cumsum, make_cumprod,
                 {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64, DType::Int32,
                  DType::Int64, DType::UInt32, DType::UInt64}});
}

}  // namespace ember::ops::reduce
