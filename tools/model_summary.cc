#include "tools/model_summary.h"

#include <cstdio>

#include "tools/flops.h"

namespace ember::cli {

namespace {

void count_graph(const ir::Graph& g, ModelSummary& s) {
  for (const ir::Value* init : g.initializers) {
    if (!init->constant) continue;
    s.param_count += init->constant->numel();
    s.param_bytes += int64_t(init->constant->nbytes());
  }
  for (const auto& n : g.nodes()) {
    ++s.node_count;
    const bool std_domain = n->domain.empty() || n->domain == "ai.onnx";
    const std::string key = std_domain ? n->op_type : n->domain + "." + n->op_type;
    ++s.op_counts[key];
    const NodeFlops f = estimate_node_flops(*n);
    if (!f.modelled) continue;
    if (f.dynamic) ++s.dynamic_flop_nodes;
    s.dynamic_symbols.insert(f.symbols.begin(), f.symbols.end());
    s.flops += f.flops;
    s.flops_by_op[key] += f.flops;
  }
}

}  // namespace

std::string human_count(double v) {
  static const char* const kUnits[] = {"", " K", " M", " G", " T", " P"};
  size_t u = 0;
  while (v >= 1000 && u + 1 < std::size(kUnits)) v /= 1000, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f%s" : "%.2f%s", v, kUnits[u]);
  return buf;
}

ModelSummary summarize_model(const ir::Model& model) {
  ModelSummary s;
  const ir::Graph& g = *model.graph;
  for (const ir::Value* v : g.inputs) s.inputs.push_back({v->name, v->type.str()});
  for (const ir::Value* v : g.outputs) s.outputs.push_back({v->name, v->type.str()});
  s.producer = model.producer_name;
  if (!model.producer_version.empty()) s.producer += " " + model.producer_version;
  s.ir_version = model.ir_version;
  s.opsets = model.opset_imports;
  ir::for_each_graph(g, [&](const ir::Graph& sub) {
    if (&sub != &g) ++s.subgraph_count;
    count_graph(sub, s);
  });
  return s;
}

void print_model_summary(const ModelSummary& s, std::ostream& out) {
  out << "producer:   " << (s.producer.empty() ? "(not recorded)" : s.producer) << "\n"
      << "ir_version: " << s.ir_version << "\n"
      << "opsets:    ";
  for (const auto& [domain, version] : s.opsets)
    out << " " << (domain.empty() ? "ai.onnx" : domain) << " " << version;
  out << "\n\ninputs:\n";
  for (const auto& io : s.inputs) out << "  " << io.name << ": " << io.type << "\n";
  out << "outputs:\n";
  for (const auto& io : s.outputs) out << "  " << io.name << ": " << io.type << "\n";

  out << "\nnodes: " << s.node_count;
  if (s.subgraph_count) out << " (including " << s.subgraph_count << " subgraphs)";
  out << "\n";
  for (const auto& [op, count] : s.op_counts) out << "  " << op << ": " << count << "\n";

  out << "\nparameters: " << s.param_count << " (" << human_count(double(s.param_count))
      << "), " << s.param_bytes << " bytes (" << human_count(double(s.param_bytes)) << "B)\n";
  out << "FLOPs (2 x MACs of Conv/ConvTranspose/Gemm/MatMul): " << human_count(s.flops);
  if (s.dynamic_flop_nodes) {
    // With a dynamic batch this is the cost of one sample; say which dims were assumed.
    std::string dims;
    for (const auto& sym : s.dynamic_symbols) dims += (dims.empty() ? "" : ", ") + sym;
    out << "\n  (dynamic dimensions " << dims << " counted as 1 in " << s.dynamic_flop_nodes
        << " node(s))";
  }
  out << "\n";
  for (const auto& [op, f] : s.flops_by_op) out << "  " << op << ": " << human_count(f) << "\n";
}

}  // namespace ember::cli
