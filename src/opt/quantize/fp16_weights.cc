// FP16 weight storage: float32 initializers become float16 initializers read through a Cast
// to float32. Halves the weights in the file; the model still computes in float32 (a session
// folds the Casts of constants once when it loads the model, or casts at run time for those
// over fold_constants' 1 MiB limit).
#include <algorithm>
#include <cmath>

#include "opt/pattern.h"
#include "opt/quantize/rewrites.h"
#include "opt/quantize/rewrite_util.h"

namespace ember::opt::quantize {

std::vector<std::string> store_weights_fp16(ir::Model& m, size_t min_bytes) {
  const int opset = onnx_opset_at_least(m, 6, "fp16 weight storage (Cast)");
  ir::Graph& g = *m.graph;
  g.rebuild_uses();
  Emitter emit(g, opset);
  const std::vector<ir::Value*> inits = g.initializers;
  std::vector<std::string> labels;
  for (ir::Value* v : inits) {
    // A graph input with a default value stays as it is: a caller may feed it as float32.
    if (v->is_input || !v->constant || v->constant->dtype() != DType::Float32 || v->constant->nbytes() < min_bytes)
      continue;
    const Tensor& src = *v->constant;
    // float16 tops out at 65504: a weight beyond it would become inf, so it stays float32.
    bool fits = true;
    for (int64_t i = 0; fits && i < src.numel(); ++i) fits = std::fabs(src.data<float>()[i]) <= 65504.0f;
    if (!fits) continue;
    Tensor h(DType::Float16, src.shape());
    const float* s = src.data<float>();
    half* d = h.data<half>();
    for (int64_t i = 0; i < src.numel(); ++i) d[i] = half(s[i]);
    ir::Value* stored = emit.constant(v->name + "_fp16", std::move(h));
    // `v` stops being an initializer and becomes the Cast's output, keeping its name and uses.
    v->constant.reset();
    g.initializers.erase(std::find(g.initializers.begin(), g.initializers.end(), v));
    emit.node(v->name + "_Cast", "Cast", {stored}, {v}, {attr_int("to", int64_t(DType::Float32))});
    labels.push_back("store_weights_fp16: '" + v->name + "'");
  }
  finish_rewrite(m, "fp16 weight storage");
  return labels;
}

}  // namespace ember::opt::quantize
