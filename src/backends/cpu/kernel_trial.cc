#include "backends/cpu/kernel_trial.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <random>

namespace ember::backends {

namespace {

// Values in [-1, 1) for floating point inputs; zeros otherwise (the kernels timed here take
// float tensors; anything else only needs to be well defined).
Tensor random_input(const ir::TypeInfo& type, std::mt19937_64& rng) {
  Tensor t(type.dtype, type.static_dims());
  if (type.dtype == DType::Float32) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    float* d = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = u(rng);
  } else if (type.dtype != DType::String) {
    std::memset(t.raw(), 0, t.nbytes());
  }
  return t;
}

}  // namespace

bool TrialContext::can_trial(const ir::Node& node) {
  for (const ir::Value* v : node.inputs) {
    if (!v || v->constant) continue;
    if (v->type.kind != ir::ValueKind::Tensor || !v->type.is_static() || v->type.dtype == DType::String ||
        v->type.dtype == DType::Undefined)
      return false;
  }
  return true;
}

TrialContext::TrialContext(const ir::Node& node, ThreadPool& pool, uint64_t seed) : pool_(pool) {
  std::mt19937_64 rng(seed);
  values_.resize(node.inputs.size());
  for (size_t i = 0; i < node.inputs.size(); ++i) {
    const ir::Value* v = node.inputs[i];
    if (!v) {
      values_[i].is_none = true;
    } else if (v->constant) {
      values_[i].tensor = *v->constant;
    } else {
      EMBER_CHECK(v->type.is_static(), Runtime, node.describe(), ": input '", v->name,
                  "' has no static shape to run a trial with");
      values_[i].tensor = random_input(v->type, rng);
    }
  }
  for (size_t i = 0; i < values_.size(); ++i) inputs_.push_back(node.inputs[i] ? &values_[i] : nullptr);
  output_count_ = node.outputs.size();
  outputs_.resize(output_count_);
  for (const ir::Value* o : node.outputs) wanted_.push_back(o != nullptr);
}

void TrialContext::set_input(size_t i, Tensor t) {
  EMBER_CHECK(i < values_.size(), InvalidArgument, "trial input ", i, " out of range");
  values_[i] = ops::RtValue{std::move(t), nullptr, false};
  inputs_[i] = &values_[i];
}

Tensor& TrialContext::output(size_t i, DType dtype, const Dims& shape) {
  EMBER_CHECK(i < outputs_.size(), Runtime, "kernel wrote output ", i, " of ", outputs_.size());
  Tensor& t = outputs_[i].tensor;
  if (!t.defined() || t.dtype() != dtype || t.shape() != shape) t = Tensor(dtype, shape);
  return t;
}

void TrialContext::set_output(size_t i, ops::RtValue v) {
  EMBER_CHECK(i < outputs_.size(), Runtime, "kernel set output ", i, " of ", outputs_.size());
  outputs_[i] = std::move(v);
}

double time_kernel(const ops::Kernel& kernel, TrialContext& ctx, int runs) {
  using clock = std::chrono::steady_clock;
  kernel.run(ctx);  // warm-up: caches, lazily created state, page faults of the outputs
  std::vector<double> ms;
  for (int r = 0; r < std::max(1, runs); ++r) {
    const auto t0 = clock::now();
    kernel.run(ctx);
    ms.push_back(std::chrono::duration<double, std::milli>(clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + ms.size() / 2, ms.end());
  return ms[ms.size() / 2];
}

}  // namespace ember::backends
