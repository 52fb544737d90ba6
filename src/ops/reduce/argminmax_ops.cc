// ArgMax / ArgMin: the int64 index of the largest / smallest element along one axis.
// Opset 1-10 take non-negative axes only, 11 adds negative axes, 12 adds select_last_index;
// reading the attributes with their defaults covers every version with one schema.
// Ties pick the first index unless select_last_index; a NaN counts as the extreme value and the
// first NaN wins (numpy's rule), so a NaN row never yields an arbitrary index.
#include <cmath>

#include "ops/op_util.h"
#include "ops/reduce/reduce_ops.h"
#include "ops/reduce/reducers.h"

namespace ember::ops::reduce {
namespace {

struct ArgSpec {
  int64_t axis = 0;
  bool keepdims = true;
  bool last = false;
  bool is_max = true;
};

ArgSpec parse(const ir::Node& node) {
  ArgSpec s;
  s.axis = node.attr_int("axis", 0);
  s.keepdims = node.attr_int("keepdims", 1) != 0;
  s.last = node.attr_int("select_last_index", 0) != 0;
  s.is_max = node.op_type == "ArgMax";
  return s;
}

void check_dtype(const ir::Node& node, DType t) {
  const bool ok = dtype_is_float(t) || t == DType::Int8 || t == DType::UInt8 || t == DType::Int32 ||
                  t == DType::Int64 || t == DType::UInt32 || t == DType::UInt64 || t == DType::Int16 ||
                  t == DType::UInt16;
  EMBER_CHECK(ok, Unsupported, node.describe(), ": input type ", dtype_name(t), " is not supported");
}

void infer_arg(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  const TypeInfo& in = ctx.input_type(0);
  if (in.dtype != DType::Undefined) check_dtype(node, in.dtype);
  const ArgSpec s = parse(node);
  TypeInfo out = TypeInfo::tensor_unknown_shape(DType::Int64);
  if (in.has_shape) {
    EMBER_CHECK(!in.dims.empty(), InvalidModel, node.describe(), ": input must have rank >= 1");
    const int64_t axis = normalize_axis(s.axis, int64_t(in.dims.size()), node);
    out.has_shape = true;
    for (size_t i = 0; i < in.dims.size(); ++i) {
      if (int64_t(i) != axis) out.dims.push_back(in.dims[i]);
      else if (s.keepdims) out.dims.push_back(ir::Dim::of(1));
    }
  }
  ctx.set_output(0, out);
}

// True when `x` should replace the current best `b`.
template <class W>
bool better(W x, W b, bool is_max, bool last) {
  if constexpr (std::is_floating_point_v<W>) {
    if (std::isnan(b)) return false;
    if (std::isnan(x)) return true;
  }
  if (is_max) return last ? x >= b : x > b;
  return last ? x <= b : x < b;
}

template <class T>
void arg_reduce(const T* in, int64_t* out, int64_t outer, int64_t n, int64_t inner, const ArgSpec& s,
                ThreadPool& pool) {
  using W = wide_t<T>;
  // One task per (outer, column block): rows are read contiguously, as in reduce_middle.
  constexpr int64_t block = 256;
  const int64_t blocks = (inner + block - 1) / block;
  pool.parallel_for(outer * blocks, std::max<int64_t>(1, (1 << 15) / std::max<int64_t>(n * std::min(inner, block), 1)),
                    [&](int64_t b, int64_t e) {
                      std::vector<W> best(size_t(std::min(inner, block)));
                      for (int64_t t = b; t < e; ++t) {
                        const int64_t o = t / blocks, c0 = (t % blocks) * block;
                        const int64_t width = std::min(block, inner - c0);
                        const T* base = in + o * n * inner + c0;
                        int64_t* idx = out + o * inner + c0;
                        for (int64_t c = 0; c < width; ++c) {
                          best[size_t(c)] = W(base[c]);
                          idx[c] = 0;
                        }
                        for (int64_t r = 1; r < n; ++r) {
                          const T* row = base + r * inner;
                          for (int64_t c = 0; c < width; ++c) {
                            const W x = W(row[c]);
                            if (better(x, best[size_t(c)], s.is_max, s.last)) {
                              best[size_t(c)] = x;
                              idx[c] = r;
                            }
                          }
                        }
                      }
                    });
}

class ArgKernel final : public Kernel {
 public:
  explicit ArgKernel(const ir::Node& node) : label_(node_label(node)), spec_(parse(node)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    check_dtype(label_, x.dtype());
    EMBER_CHECK(x.rank() >= 1, InvalidArgument, label_.describe(), ": input must have rank >= 1, got a scalar");
    const int64_t axis = normalize_axis(spec_.axis, int64_t(x.rank()), label_);
    int64_t outer = 1, inner = 1;
    Dims out_shape;
    for (size_t i = 0; i < x.rank(); ++i) {
      if (int64_t(i) < axis) outer *= x.dim(i);
      if (int64_t(i) > axis) inner *= x.dim(i);
      if (int64_t(i) != axis) out_shape.push_back(x.dim(i));
      else if (spec_.keepdims) out_shape.push_back(1);
    }
    const int64_t n = x.dim(size_t(axis));
    Tensor& y = ctx.output(0, DType::Int64, out_shape);
    if (outer * inner == 0) return;
    EMBER_CHECK(n > 0, InvalidArgument, label_.describe(), ": cannot take the index of an extreme over an empty axis ",
                axis, " (input shape ", dims_str(x.shape()), ")");
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = decltype(tag);
      if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, bool>) {
        fail(Status::Unsupported, label_.describe(), ": input type ", dtype_name(x.dtype()), " is not supported");
      } else {
        arg_reduce<T>(x.data<T>(), y.data<int64_t>(), outer, n, inner, spec_, ctx.pool());
      }
    });
  }

 private:
  ir::Node label_;
  ArgSpec spec_;
};

std::unique_ptr<Kernel> make_arg(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<ArgKernel>(node);
}

}  // namespace

void add_argminmax_ops(OpRegistry& r) {
  const std::vector<DType> dtypes = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64,
                                     DType::Int8,    DType::UInt8,   DType::Int16,    DType::UInt16,
                                     DType::Int32,   DType::Int64,   DType::UInt32,   DType::UInt64};
  r.add(OpSchema{"ArgMax", "", 1, 1 << 30, infer_arg, make_arg, dtypes});
  r.add(OpSchema{"ArgMin", "", 1, 1 << 30, infer_arg, make_arg, dtypes});
}

}  // namespace ember::ops::reduce
