// A graph optimisation pass: looks at a graph and proposes labelled rewrites; the pass manager
// (optimizer.cc) applies them one at a time, checks the graph after each, and repeats all
// passes until none proposes anything (or a rewrite budget runs out, for bisecting).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt {

struct Rewrite {
  // "<pass>: <what>", e.g. "fuse_conv_bn: conv_12 + bn_12". Shown by --verbose, verify, bisect.
  std::string label;
  // Changes the graph. Runs after every earlier rewrite of the same find() result, so it must
  // re-check that the nodes it touches are still there (or the pass returns rewrites that
  // cannot overlap). New values get their TypeInfo set when known; the manager re-infers
  // types after each round. Fused nodes set Node::fused_from to the original node names.
  std::function<void(ir::Graph&)> apply;
};

struct PassContext {
  int level = 3;                         // the optimization level being run
  const ir::Model* model = nullptr;      // opset imports, etc.
};

class Pass {
 public:
  virtual ~Pass() = default;
  virtual const char* name() const = 0;  // file name without .cc: "fuse_conv_bn"
  virtual int level() const = 0;         // 1 clean-up, 2 fusion, 3 layout / kernel-specific
  // Proposes rewrites for `g` without changing it. Types in `g` are inferred.
  virtual std::vector<Rewrite> find(const ir::Graph& g, const PassContext& ctx) const = 0;
};

}  // namespace ember::opt
