#include "opt/attention_test_graph.h"

#include <cmath>


namespace ember::test {

ir::Value* linear(FusionGraph& b, ir::Value* x, int64_t fin, int64_t fout) {
  ir::Value* y = b.op("MatMul", {x, b.weight("w", {fin, fout}, -0.5, 0.5)});
  return b.op("Add", {y, b.weight("bias", {fout}, -0.1, 0.1)});
}

namespace {

ir::Value* target_shape(FusionGraph& b, ir::Value* x, const AttnShape& s, TargetDims how, std::vector<int64_t> tail) {
  if (how == TargetDims::FromShape) {
    ir::Value* shape = b.op("Shape", {x});
    ir::Value* batch = b.op("Gather", {shape, b.ints({0})}, {attr_int("axis", 0)});
    ir::Value* seq = b.op("Gather", {shape, b.ints({1})}, {attr_int("axis", 0)});
    return b.op("Concat", {batch, seq, b.ints(tail)}, {attr_int("axis", 0)});
  }
  std::vector<int64_t> v = how == TargetDims::CopyZero ? std::vector<int64_t>{0, 0} : std::vector<int64_t>{s.batch, s.seq};
  v.insert(v.end(), tail.begin(), tail.end());
  return b.ints(v);
}

}  // namespace

ir::Value* attention(FusionGraph& b, ir::Value* x, ir::Value* mask, const AttnShape& s, Scale scale, TargetDims how,
                     bool nan_guard) {
  const int64_t hidden = s.heads * s.head_dim;
  ir::Value* split = target_shape(b, x, s, how, {s.heads, s.head_dim});
  auto project = [&](const std::vector<int64_t>& perm) {
    ir::Value* p = linear(b, x, hidden, hidden);
    ir::Value* y = b.op("Reshape", {p, how == TargetDims::FromShape ? target_shape(b, p, s, how, {s.heads, s.head_dim}) : split});
    return b.op("Transpose", {y}, {attr_ints("perm", perm)});
  };
  const float root = float(std::sqrt(double(s.head_dim)));
  ir::Value* q = project({0, 2, 1, 3});
  if (scale == Scale::MulOnQ) q = b.op("Mul", {q, b.scalar(1.0f / root)});
  if (scale == Scale::DivOnQ) q = b.op("Div", {q, b.scalar(root)});
  ir::Value* kt = project({0, 2, 3, 1});
  if (scale == Scale::MulOnQAndK) {
    const float quarter = float(1.0 / std::sqrt(double(root)));
    q = b.op("Mul", {q, b.scalar(quarter)});
    kt = b.op("Mul", {kt, b.scalar(quarter)});
  }
  ir::Value* v = project({0, 2, 1, 3});
  ir::Value* scores = b.op("MatMul", {q, kt});
  if (scale == Scale::DivAfter) scores = b.op("Div", {scores, b.scalar(root)});
  if (scale == Scale::MulAfter) scores = b.op("Mul", {b.scalar(1.0f / root), scores});
  if (mask) scores = b.op("Add", {scores, mask});
  ir::Value* probs = b.op("Softmax", {scores}, {attr_int("axis", -1)});
  if (nan_guard) probs = b.op("Where", {b.op("IsNaN", {probs}), b.scalar(0.0f), probs});
  ir::Value* ctx = b.op("Transpose", {b.op("MatMul", {probs, v})}, {attr_ints("perm", {0, 2, 1, 3})});
  ctx = b.op("Reshape", {ctx, target_shape(b, ctx, s, how, {hidden})});
  return linear(b, ctx, hidden, hidden);
}

}  // namespace ember::test
