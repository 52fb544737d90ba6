// MaxPool (optional Indices output, storage_order), AveragePool (count_include_pad) and
// LpPool over 1-D..N-D windows with strides, dilations, pads / auto_pad and ceil_mode.
// One task per (image, channel) plane; for every output position the window is clipped to
// the valid input box up front, so the inner loops carry no bounds checks.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/nn/nn_ops.h"
#include "ops/nn/window.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

using nn::Window;
using nn::WindowAttrs;
constexpr int kMaxD = kernels::kMaxConvDims;

enum class PoolKind { Max, Average, Lp };

struct PoolAttrs {
  WindowAttrs win;
  PoolKind kind;
  bool count_include_pad = false;
  int64_t storage_order = 0;
  int64_t p = 2;
};

PoolAttrs parse_pool(const ir::Node& node, PoolKind kind) {
  PoolAttrs a{WindowAttrs::parse(node, true), kind};
  EMBER_CHECK(!a.win.kernel.empty(), InvalidModel, node.describe(), ": attribute 'kernel_shape' is required");
  a.count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  a.storage_order = node.attr_int("storage_order", 0);
  EMBER_CHECK(a.storage_order == 0 || a.storage_order == 1, InvalidModel, node.describe(),
              ": storage_order must be 0 or 1, given ", a.storage_order);
  a.p = node.attr_int("p", 2);
  EMBER_CHECK(a.p >= 1, Unsupported, node.describe(), ": LpPool p=", a.p, " is not supported (p >= 1)");
  return a;
}

Window pool_window(const PoolAttrs& a, const Dims& x) {
  EMBER_CHECK(x.size() >= 3, ShapeMismatch, a.win.node, ": input X must be [N, C, D1, ...], given ", dims_str(x));
  return nn::resolve_window(a.win, Dims(x.begin() + 2, x.end()), a.win.kernel);
}

void infer_pool(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  const PoolKind kind = ctx.node().op_type == "MaxPool" ? PoolKind::Max : PoolKind::Average;
  TypeInfo out = TypeInfo::tensor_unknown_shape(x.dtype);
  if (x.has_shape) {
    const Window w = pool_window(parse_pool(ctx.node(), kind), nn::spatial_dims(x, 0));
    out.has_shape = true;
    out.dims = {x.dims[0], x.dims[1]};
    for (int64_t o : w.out) out.dims.push_back(o >= 0 ? ir::Dim::of(o) : ir::Dim{});
  }
  ctx.set_output(0, out);
  if (ctx.output_count() > 1) ctx.set_output(1, with_dtype(out, DType::Int64));
}

// Pools one plane. T is the element type, A the accumulator for Average/Lp.
template <class T, class A>
void pool_plane(const PoolAttrs& a, const Window& w, const Dims& in, const T* x, T* y, int64_t* idx,
                int64_t plane_offset) {
  const int nd = int(w.nd());
  int64_t in_stride[kMaxD], col_stride[kMaxD];  // row-major and column-major plane strides
  int64_t rs = 1, cs = 1;
  for (int d = nd - 1; d >= 0; --d) { in_stride[d] = rs; rs *= in[d]; }
  for (int d = 0; d < nd; ++d) { col_stride[d] = cs; cs *= in[d]; }
  int64_t o[kMaxD] = {}, klo[kMaxD], khi[kMaxD], start[kMaxD], k[kMaxD];
  const int64_t n_out = dims_numel(w.out);
  for (int64_t pos = 0; pos < n_out; ++pos) {
    int64_t valid = 1, padded = 1;
    for (int d = 0; d < nd; ++d) {
      const int64_t s = o[d] * w.stride[d] - w.pad_begin[d], dl = w.dilation[d];
      start[d] = s;
      // Taps t with 0 <= s + t*dl < in: t in [ceil(-s/dl), ceil((in-s)/dl)).
      klo[d] = s >= 0 ? 0 : (-s + dl - 1) / dl;
      khi[d] = std::min<int64_t>(w.kernel[d], (in[d] - s + dl - 1) / dl);
      valid *= std::max<int64_t>(0, khi[d] - klo[d]);
      // count_include_pad counts taps inside the explicitly padded extent, not ceil overhang.
      const int64_t plo = s >= -w.pad_begin[d] ? 0 : (-w.pad_begin[d] - s + dl - 1) / dl;
      const int64_t phi = std::min<int64_t>(w.kernel[d], (in[d] + w.pad_end[d] - s + dl - 1) / dl);
      padded *= std::max<int64_t>(0, phi - plo);
    }
    A acc = A(0);
    T best = std::numeric_limits<T>::lowest();
    if constexpr (!std::numeric_limits<T>::is_specialized) best = T(-std::numeric_limits<float>::infinity());
    int64_t best_at = -1;
    if (valid > 0) {
      for (int d = 0; d < nd; ++d) k[d] = klo[d];
      for (;;) {
        int64_t off = 0;
        for (int d = 0; d < nd; ++d) off += (start[d] + k[d] * w.dilation[d]) * in_stride[d];
        const T v = x[off];
        if (a.kind == PoolKind::Max) {
          if (best_at < 0 || float(v) > float(best)) { best = v; best_at = off; }
        } else if (a.kind == PoolKind::Average) {
          acc += A(v);
        } else {
          const A av = std::fabs(A(v));
          acc += a.p == 1 ? av : a.p == 2 ? av * av : A(std::pow(av, A(a.p)));
        }
        int d = nd - 1;
        for (; d >= 0; --d) {
          if (++k[d] < khi[d]) break;
          k[d] = klo[d];
        }
        if (d < 0) break;
      }
    }
    if (a.kind == PoolKind::Max) {
      y[pos] = best;
      if (idx) {
        int64_t flat = 0;
        if (best_at >= 0 && a.storage_order == 1) {
          int64_t rem = best_at;
          for (int d = 0; d < nd; ++d) { flat += (rem / in_stride[d]) * col_stride[d]; rem %= in_stride[d]; }
        } else {
          flat = best_at;
        }
        idx[pos] = plane_offset + flat;
      }
    } else if (a.kind == PoolKind::Average) {
      const int64_t cnt = a.count_include_pad ? padded : valid;
      y[pos] = T(cnt > 0 ? acc / A(cnt) : A(0));
    } else {
      y[pos] = T(a.p == 1 ? acc : a.p == 2 ? std::sqrt(acc) : A(std::pow(acc, A(1) / A(a.p))));
    }
    for (int d = nd - 1; d >= 0; --d) {
      if (++o[d] < w.out[d]) break;
      o[d] = 0;
    }
  }
}

class PoolKernel final : public Kernel {
 public:
  explicit PoolKernel(PoolAttrs a) : a_(std::move(a)) {}

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const Window w = pool_window(a_, x.shape());
    const Dims in(x.shape().begin() + 2, x.shape().end());
    Dims out_shape = {x.dim(0), x.dim(1)};
    out_shape.insert(out_shape.end(), w.out.begin(), w.out.end());
    Tensor& y = ctx.output(0, x.dtype(), out_shape);
    int64_t* idx = nullptr;
    if (ctx.output_count() > 1 && ctx.wants_output(1)) {
      EMBER_CHECK(a_.kind == PoolKind::Max, InvalidModel, a_.win.node, ": only MaxPool has an Indices output");
      idx = ctx.output(1, DType::Int64, out_shape).data<int64_t>();
    }
    const int64_t planes = x.dim(0) * x.dim(1), in_sz = dims_numel(in), out_sz = dims_numel(w.out);
    if (y.numel() == 0) return;
    auto go = [&](auto tag, auto acc_tag) {
      using T = decltype(tag);
      using A = decltype(acc_tag);
      const T* xp = static_cast<const T*>(x.raw());
      T* yp = static_cast<T*>(y.raw());
      ctx.pool().parallel_for(planes, 1, [&](int64_t b, int64_t e) {
        for (int64_t p = b; p < e; ++p)
          pool_plane<T, A>(a_, w, in, xp + p * in_sz, yp + p * out_sz, idx ? idx + p * out_sz : nullptr,
                           p * in_sz);
      });
    };
    const bool max = a_.kind == PoolKind::Max;
    switch (x.dtype()) {
      case DType::Float32: return go(float{}, float{});
      case DType::Float64: return go(double{}, double{});
      case DType::Float16: return go(half{}, float{});
      case DType::BFloat16: return go(bfloat16{}, float{});
      case DType::Int8: if (max) return go(int8_t{}, float{}); break;
      case DType::UInt8: if (max) return go(uint8_t{}, float{}); break;
      default: break;
    }
    fail(Status::Unsupported, a_.win.node, ": element type ", dtype_name(x.dtype()), " is not supported");
  }

 private:
  PoolAttrs a_;
};

template <PoolKind K>
std::unique_ptr<Kernel> make_pool(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<PoolKernel>(parse_pool(node, K));
}

}  // namespace

void add_pool_ops(OpRegistry& r) {
  const std::vector<DType> f = {DType::Float32, DType::Float16, DType::BFloat16, DType::Float64};
  std::vector<DType> fi = f;
  fi.push_back(DType::Int8);
  fi.push_back(DType::UInt8);
  r.add({"MaxPool", "", 1, 1 << 30, infer_pool, make_pool<PoolKind::Max>, fi});
  r.add({"AveragePool", "", 1, 1 << 30, infer_pool, make_pool<PoolKind::Average>, f});
  r.add({"LpPool", "", 1, 1 << 30, infer_pool, make_pool<PoolKind::Lp>, f});
}

}  // namespace ember::ops
