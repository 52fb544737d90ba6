// Einsum equation handling: parsing ("bij,bjk->bik", "...ij,...jk", implicit outputs) and
// resolution against concrete input shapes into numbered labels with sizes and per-operand
// strides. Ellipsis dimensions become extra labels, right-aligned across operands so they
// broadcast like numpy.
#pragma once

#include <string>
#include <vector>

#include "ir/tensor.h"

namespace ember::ops::nn {

constexpr int kEllipsis = -1;  // marks "..." in a parsed term

struct EinsumEquation {
  std::vector<std::vector<int>> inputs;  // letter codes (0..51) or kEllipsis, per operand
  std::vector<int> output;               // idem; empty + implicit=true when no "->"
  bool implicit = false;
};

// Throws InvalidModel (naming `node`) on malformed equations.
EinsumEquation parse_einsum(const std::string& equation, size_t n_inputs, const std::string& node);

struct EinsumPlan {
  int n_labels = 0;
  std::vector<int64_t> size;               // per label
  std::vector<std::vector<int64_t>> stride;  // [operand][label]: element stride, 0 if absent/broadcast
  std::vector<std::vector<bool>> uses;     // [operand][label]: label appears in the operand's term
  std::vector<int> output;                 // output labels in order
  Dims out_shape;
};

// Resolves the equation for concrete shapes; throws ShapeMismatch on rank / size conflicts.
EinsumPlan plan_einsum(const EinsumEquation& eq, const std::vector<Dims>& shapes, const std::string& node);

}  // namespace ember::ops::nn
