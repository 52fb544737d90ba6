// ai.ember ChannelLookup (1): Y[n, c, ...] = table[c, byte(X[n, c, ...])], X 8-bit [N, C, ...],
// table [C, 256] of Y's type (uint8, int8 or float32), indexed by the input's bit pattern (int8
// -1 is entry 255). Written by src/opt/fuse_channel_lookup.cc for chains of per-channel
// elementwise ops between quantized layers. The reference kernel: a lookup per element, channel
// planes split over the pool (8-bit tables have a vectorized native kernel,
// src/backends/cpu/quant/channel_lookup.cc).
#include "ops/quant/channel_lookup.h"

#include <cstring>

#include "ops/op_util.h"
#include "ops/quant/quant_ops.h"

namespace ember::ops::quant {
namespace {

template <class T>
void lookup_planes(const uint8_t* x, const T* table, int64_t C, int64_t inner, int64_t p0, int64_t p1, T* y) {
  for (int64_t p = p0; p < p1; ++p) {
    const T* row = table + (p % C) * 256;
    const uint8_t* xs = x + p * inner;
    T* ys = y + p * inner;
    for (int64_t i = 0; i < inner; ++i) ys[i] = row[xs[i]];
  }
}

class ChannelLookupKernel final : public Kernel {
 public:
  explicit ChannelLookupKernel(const ir::Node& n) : who_(n.describe()) {}
  void run(KernelContext& ctx) const override {
    const LookupPlanes lp = check_channel_lookup(ctx, who_);
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    const DType yt = t.dtype();
    const int64_t C = lp.channels, planes = lp.planes, inner = lp.inner;
    Tensor& y = ctx.output(0, yt, x.shape());
    if (x.numel() == 0) return;
    const auto* xp = static_cast<const uint8_t*>(x.raw());
    ctx.pool().parallel_for(planes, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)), [&](int64_t p0, int64_t p1) {
      if (yt == DType::Float32) lookup_planes(xp, t.data<float>(), C, inner, p0, p1, y.data<float>());
      else lookup_planes(xp, static_cast<const uint8_t*>(t.raw()), C, inner, p0, p1, static_cast<uint8_t*>(y.raw()));
    });
  }

 private:
  std::string who_;
};

void infer_channel_lookup(InferContext& ctx) {
  const DType yt = ctx.input_type(1).dtype;
  ctx.set_output(0, with_dtype(ctx.input_type(0), yt));
}

std::unique_ptr<Kernel> make_channel_lookup(const ir::Node& n, KernelFactoryContext&) {
  return std::make_unique<ChannelLookupKernel>(n);
}

}  // namespace

LookupPlanes check_channel_lookup(const KernelContext& ctx, const std::string& who) {
  const Tensor& x = ctx.input(0);
  const Tensor& t = ctx.input(1);
  EMBER_CHECK(x.dtype() == DType::UInt8 || x.dtype() == DType::Int8, TypeMismatch, who,
              ": X must be uint8 or int8, given ", dtype_name(x.dtype()));
  EMBER_CHECK(x.rank() >= 2, ShapeMismatch, who, ": X must be [N, C, ...], given ", dims_str(x.shape()));
  const int64_t C = x.dim(1);
  EMBER_CHECK(t.rank() == 2 && t.dim(0) == C && t.dim(1) == 256, ShapeMismatch, who, ": table must be [", C,
              ", 256], given ", dims_str(t.shape()));
  const DType yt = t.dtype();
  EMBER_CHECK(yt == DType::UInt8 || yt == DType::Int8 || yt == DType::Float32, TypeMismatch, who,
              ": table must be uint8, int8 or float32, given ", dtype_name(yt));
  LookupPlanes p;
  p.channels = C;
  p.planes = x.dim(0) * C;
  p.inner = C && x.dim(0) ? x.numel() / p.planes : 0;
  return p;
}

void add_channel_lookup_op(OpRegistry& r) {
  r.add(OpSchema{"ChannelLookup", "ai.ember", 1, 1 << 30, &infer_channel_lookup, &make_channel_lookup,
                 {DType::UInt8, DType::Int8}});
}

}  // namespace ember::ops::quant
