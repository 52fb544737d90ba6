#include "opt/quantize/rewrite_util.h"

#include "ops/graph_inference.h"
#include "opt/check_graph.h"
#include "opt/graph_edit.h"
#include "opt/level1_passes.h"
#include "support/error.h"

namespace ember::opt::quantize {

ir::Value* Emitter::value(const std::string& hint, DType dtype) {
  ir::Value* v = g_.add_temp_value(hint);
  v->type = ir::TypeInfo::tensor_unknown_shape(dtype);
  return v;
}

ir::Value* Emitter::constant(const std::string& hint, Tensor t) { return edit::add_initializer(g_, hint, std::move(t)); }

ir::Node* Emitter::node(const std::string& name, const std::string& op_type, std::vector<ir::Value*> inputs,
                        std::vector<ir::Value*> outputs, std::vector<ir::Attribute> attrs) {
  edit::NodeSpec spec;
  spec.name = name;
  spec.op_type = op_type;
  spec.opset = opset_;
  spec.inputs = std::move(inputs);
  spec.outputs = std::move(outputs);
  spec.attrs = std::move(attrs);
  return edit::make_node(g_, std::move(spec));
}

int onnx_opset_at_least(const ir::Model& m, int min, const char* what) {
  const auto it = m.opset_imports.find("");
  const int v = it == m.opset_imports.end() ? 0 : it->second;
  EMBER_CHECK(v >= min, Unsupported, what, " needs a model of ai.onnx opset >= ", min, "; this one imports opset ",
              v);
  return v;
}

const Tensor* float_constant(const ir::Value* v, int rank) {
  if (!v || !v->constant || v->is_input) return nullptr;
  const Tensor& t = *v->constant;
  if (t.dtype() != DType::Float32 || (rank >= 0 && int(t.rank()) != rank)) return nullptr;
  return &t;
}

bool is_float(const ir::Value* v) { return v && v->type.kind == ir::ValueKind::Tensor && v->type.dtype == DType::Float32; }

void finish_rewrite(ir::Model& m, const std::string& what) {
  ir::Graph& g = *m.graph;
  g.rebuild_uses();
  g.topo_sort();
  const auto dce = make_eliminate_dead_code();
  PassContext ctx;
  ctx.level = 1;
  ctx.model = &m;
  for (;;) {
    std::vector<Rewrite> rs = dce->find(g, ctx);
    if (rs.empty()) break;
    for (Rewrite& r : rs) r.apply(g);
    g.rebuild_uses();
  }
  check_graph(g, "internal error: " + what + " left the graph inconsistent");
  ops::infer_graph(g, ops::OpRegistry::global());
}

Tensor scalar_f32(float v) { return Tensor::scalar<float>(v); }
Tensor scalar_u8(uint8_t v) { return Tensor::scalar<uint8_t>(v); }

}  // namespace ember::opt::quantize
