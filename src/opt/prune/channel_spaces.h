// The analysis behind structured pruning (prune_filters): which Conv output channels can be
// removed, and what else must change when they are.
//
// Every prunable Conv (group 1, constant float32 weights) opens a channel "space". A value's
// channel axis (axis 1) is described by segments, each a space or a fixed run of channels that
// may not change (a graph input, an unprunable producer). Walking the graph in order, the
// description flows through channel-preserving ops (activations, pooling, BatchNormalization,
// depthwise Conv), is concatenated by Concat(axis 1), and spaces meeting in an elementwise op
// (a residual Add) are tied: they must keep the same channels. Any other use of a value whose
// channels would change (Reshape, a graph output, an unknown op, a subgraph) marks its
// spaces unprunable.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace ember::opt::prune {

struct Segment {
  int space = -1;  // -1: fixed channels
  int64_t length = 0;
};
using ChannelDesc = std::vector<Segment>;

// A node whose constant inputs are cut when the channels described by `desc` shrink.
struct Rewire {
  enum Kind { ConvInput, Depthwise, BatchNorm, FlattenGemm } kind;
  ir::Node* node;
  ChannelDesc desc;
  int64_t inner = 1;  // FlattenGemm: features per channel (product of the spatial dims)
};

struct ChannelPlan {
  std::vector<ir::Node*> producers;  // space i is opened by producers[i]
  std::vector<int> parent;           // union-find over spaces (ties)
  std::vector<std::string> why_not;  // per space: the first reason it cannot be pruned, or ""
  std::vector<Rewire> rewires;
  int find(int s);
};

// Needs inferred types (ops::infer_graph) for Concat axes and Flatten shapes.
ChannelPlan analyse_channels(ir::Graph& g);

}  // namespace ember::opt::prune
