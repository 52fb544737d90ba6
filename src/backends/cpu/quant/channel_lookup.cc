// Native ai.ember ChannelLookup for 8-bit tables (op: src/ops/quant/channel_lookup.cc): each
// channel plane through the kernel table's byte lookup (kernels/dispatch/u8_lookup.h), planes
// split over the pool. Float tables stay with the reference kernel.
#include <algorithm>
#include <memory>

#include "backends/cpu/gemm_conv/node_util.h"
#include "backends/cpu/quant/quant_ops.h"
#include "kernels/dispatch/u8_lookup.h"
#include "ops/quant/channel_lookup.h"

namespace ember::backends::quant {
namespace {

class ChannelLookupKernel final : public ops::Kernel {
 public:
  ChannelLookupKernel(const ir::Node& node, const kernels::U8LookupKernels& k) : who_(node.describe()), k_(k) {
    name_ = std::string("channel_lookup:") + k.name;
  }
  const char* name() const override { return name_.c_str(); }

  void run(ops::KernelContext& ctx) const override {
    const ops::quant::LookupPlanes lp = ops::quant::check_channel_lookup(ctx, who_);
    const Tensor& x = ctx.input(0);
    const Tensor& t = ctx.input(1);
    EMBER_CHECK(t.dtype() != DType::Float32, TypeMismatch, who_, ": the native kernel takes 8-bit tables only");
    Tensor& y = ctx.output(0, t.dtype(), x.shape());
    if (x.numel() == 0) return;
    const auto* xp = static_cast<const uint8_t*>(x.raw());
    const auto* tp = static_cast<const uint8_t*>(t.raw());
    auto* yp = static_cast<uint8_t*>(y.raw());
    const int64_t inner = lp.inner;
    ctx.pool().parallel_for(lp.planes, std::max<int64_t>(1, 65536 / std::max<int64_t>(inner, 1)), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) k_.lookup(xp + p * inner, inner, tp + (p % lp.channels) * 256, yp + p * inner);
    });
  }

 private:
  std::string who_, name_;
  const kernels::U8LookupKernels& k_;
};

}  // namespace

std::unique_ptr<ops::Kernel> make_channel_lookup(const ir::Node& node, const runtime::BackendOptions&) {
  if (node.inputs.size() < 2 || !node.inputs[1]) return nullptr;
  const DType t = node.inputs[1]->type.dtype;
  if (t != DType::UInt8 && t != DType::Int8) return nullptr;  // float tables (or unknown): the reference
  return std::make_unique<ChannelLookupKernel>(node, kernels::u8_lookup_kernels());
}

}  // namespace ember::backends::quant
