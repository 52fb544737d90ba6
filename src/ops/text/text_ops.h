// Registration entry points and shared helpers of the string ops in src/ops/text/.
#pragma once

#include <string>

#include "ops/op_registry.h"

namespace ember::ops::text {

void add_string_ops(OpRegistry& r);  // StringNormalizer, StringConcat, StringSplit
void add_regex_ops(OpRegistry& r);   // RegexFullMatch
void add_tfidf_ops(OpRegistry& r);   // TfIdfVectorizer

// A kernel that keeps the node (identity and attributes only) and runs a plain function.
using NodeRunFn = void (*)(KernelContext&, const ir::Node&);
class NodeFnKernel final : public Kernel {
 public:
  NodeFnKernel(const ir::Node& node, NodeRunFn fn) : node_(node), fn_(fn) {
    node_.inputs.clear();  // edges belong to the graph
    node_.outputs.clear();
  }
  void run(KernelContext& ctx) const override { fn_(ctx, node_); }

 private:
  ir::Node node_;
  NodeRunFn fn_;
};

// True when every byte is ASCII.
bool is_ascii(const std::string& s);

}  // namespace ember::ops::text
