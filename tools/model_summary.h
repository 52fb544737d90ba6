// What `ember inspect` reports about a model: interface, operator histogram, parameters,
// FLOP estimate, opsets and producer. Computed from the IR so other tools can reuse it.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::cli {

struct ModelSummary {
  struct Io {
    std::string name;
    std::string type;  // "float32[N, 3, 224, 224]"
  };
  std::vector<Io> inputs, outputs;
  std::string producer;  // "name version"
  int64_t ir_version = 0;
  std::map<std::string, int> opsets;          // domain ("" = ai.onnx) -> version
  std::map<std::string, int64_t> op_counts;   // op type ("domain.Op" outside ai.onnx), subgraphs included
  int64_t node_count = 0;
  int64_t subgraph_count = 0;
  int64_t param_count = 0;   // elements of all initializers
  int64_t param_bytes = 0;
  double flops = 0;                            // 2 * MACs, unknown dims counted as 1
  std::map<std::string, double> flops_by_op;
  int64_t dynamic_flop_nodes = 0;              // nodes whose count used an unknown dim
  std::set<std::string> dynamic_symbols;       // those dims' names ("N"; "?" when unnamed)
};

ModelSummary summarize_model(const ir::Model& model);
void print_model_summary(const ModelSummary& s, std::ostream& out);

// 1234567 -> "1.23 M"; used for parameter, byte and FLOP counts.
std::string human_count(double v);

}  // namespace ember::cli
