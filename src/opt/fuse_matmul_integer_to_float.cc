// fuse_matmul_integer_to_float: the dequantizing tail of dynamically quantized dense layers
// (onnxruntime's quantize_dynamic writes it) into one ai.ember MatMulIntegerToFloat.
//   MatMulInteger -> Cast(to float) -> Mul(scale) [-> Add(bias)]  => MatMulIntegerToFloat
// The scale (usually Mul(a_scale, b_scale), computed at run time from DynamicQuantizeLinear's
// scale) and the bias have one or N elements (N: B's columns) and rank <= 1, so broadcasting
// them never changes the output's shape. The native kernel applies them in the int8 GEMM's
// epilogue, so the int32 product is never written to memory and cast: on an int8 BERT-base
// (1 thread, AVX-512) the Cast alone was 37.6 % of the run (`ember bench --profile`).
#include "opt/pattern.h"

namespace ember::opt {
namespace {

// Columns of a 2-D B of known shape, or -1.
int64_t columns(const ir::Value* b) {
  const std::optional<Dims> s = static_shape(b);
  return s && s->size() == 2 ? (*s)[1] : -1;
}

// The other float32 input of binary `op` after `v` when it has 1 or n elements and rank <= 1.
ir::Value* per_column_operand(const ir::Node* op, const ir::Value* v, int64_t n) {
  if (!op || op->inputs.size() != 2 || op->outputs.size() != 1 || !op->outputs[0]) return nullptr;
  ir::Value* o = other_input(op, v);
  if (!o || o == v || o->type.dtype != DType::Float32) return nullptr;
  const std::optional<Dims> s = static_shape(o);
  if (!s || s->size() > 1) return nullptr;
  const int64_t numel = dims_numel(*s);
  return numel == 1 || numel == n ? o : nullptr;
}

bool is_cast_to_float(const ir::Node* n) {
  return is_op(n, "Cast") && n->attr_int("to", 0) == 1 /* FLOAT */ && n->outputs.size() == 1 && n->outputs[0];
}

class FuseMatMulIntegerToFloat final : public Pass {
 public:
  const char* name() const override { return "fuse_matmul_integer_to_float"; }
  int level() const override { return 2; }

  std::vector<Rewrite> find(const ir::Graph& g, const PassContext&) const override {
    std::vector<Rewrite> out;
    Claims claims;
    for (const auto& up : g.nodes()) {
      const ir::Node* mm = up.get();
      if (!is_op(mm, "MatMulInteger") || mm->inputs.size() < 2 || mm->inputs.size() > 4 || !mm->inputs[0] ||
          !mm->inputs[1] || mm->outputs.size() != 1 || !mm->outputs[0])
        continue;
      const int64_t n = columns(mm->inputs[1]);
      const ir::Node* cast = sole_consumer(mm->outputs[0]);
      if (n < 0 || !is_cast_to_float(cast)) continue;
      const ir::Node* mul = sole_consumer(cast->outputs[0]);
      if (!is_op(mul, "Mul")) continue;
      ir::Value* scale = per_column_operand(mul, cast->outputs[0], n);
      if (!scale) continue;
      std::vector<const ir::Node*> nodes = {mm, cast, mul};
      const ir::Node* add = sole_consumer(mul->outputs[0]);
      ir::Value* bias = is_op(add, "Add") ? per_column_operand(add, mul->outputs[0], n) : nullptr;
      if (bias) nodes.push_back(add);
      if (!claims.claim(nodes)) continue;
      out.push_back({std::string(name()) + ": " + join_names(nodes), [mm, nodes, scale, bias](ir::Graph& gr) {
                       NewNode f = ember_node_from("MatMulIntegerToFloat", mm, 4);
                       f.inputs.resize(6, nullptr);
                       f.inputs[4] = scale;
                       f.inputs[5] = bias;
                       f.outputs = {nodes.back()->outputs[0]};
                       replace_with(gr, nodes, std::move(f));
                     }});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Pass> make_fuse_matmul_integer_to_float() { return std::make_unique<FuseMatMulIntegerToFloat>(); }

}  // namespace ember::opt
