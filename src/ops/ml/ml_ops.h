// Registration entry points of the ai.onnx.ml ops in src/ops/ml/.
#pragma once

#include "ops/op_registry.h"

namespace ember::ops::ml {

inline constexpr const char* kDomain = "ai.onnx.ml";

void add_simple_ops(OpRegistry& r);         // Binarizer, ArrayFeatureExtractor
void add_label_encoder_ops(OpRegistry& r);  // LabelEncoder (2, 4)
void add_tree_ensemble_ops(OpRegistry& r);  // TreeEnsemble (5)

// Reads element i of a float16/float32/float64 tensor as double.
double float_at(const Tensor& t, int64_t i);

}  // namespace ember::ops::ml
