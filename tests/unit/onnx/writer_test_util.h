// Helpers for the writer tests: a canonical text dump of a model (every node, attribute value,
// type, capture and initializer byte) so "read -> write -> read gives the same graph" is one
// string comparison, and a lookup of which file a pointer is memory-mapped from.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "ir/graph.h"

namespace ember::test {

inline std::string tensor_dump(const Tensor& t) {
  std::ostringstream os;
  os << dtype_name(t.dtype()) << dims_str(t.shape()) << "{";
  if (t.dtype() == DType::String) {
    for (int64_t k = 0; k < t.numel(); ++k) os << (k ? "," : "") << '"' << t.data<std::string>()[k] << '"';
  } else {
    // FNV-1a of the bytes: equal dumps mean equal contents without printing megabytes.
    uint64_t h = 1469598103934665603ull;
    const auto* p = static_cast<const uint8_t*>(t.raw());
    for (size_t k = 0; k < t.nbytes(); ++k) h = (h ^ p[k]) * 1099511628211ull;
    os << t.nbytes() << "B#" << std::hex << h << std::dec;
  }
  return os.str() + "}";
}

inline void graph_dump(const ir::Graph& g, std::ostream& os, const std::string& in);

inline void attr_dump(const ir::Attribute& a, std::ostream& os, const std::string& in) {
  os << in << "  ." << a.name << ":" << int(a.type) << "=";
  using AT = ir::AttrType;
  switch (a.type) {
    case AT::Float: os << a.f; break;
    case AT::Int: os << a.i; break;
    case AT::String: os << '"' << a.s << '"'; break;
    case AT::Tensor: os << tensor_dump(a.t); break;
    case AT::Floats: for (float f : a.floats) os << f << ","; break;
    case AT::Ints: for (int64_t i : a.ints) os << i << ","; break;
    case AT::Strings: for (const auto& s : a.strings) os << '"' << s << "\","; break;
    case AT::Tensors: for (const auto& t : a.tensors) os << tensor_dump(t) << ","; break;
    case AT::TypeProto: os << (a.type_proto ? a.type_proto->str() : "?"); break;
    case AT::Graph: os << "\n"; graph_dump(*a.g, os, in + "    "); break;
    case AT::Graphs: for (const auto& sg : a.graphs) { os << "\n"; graph_dump(*sg, os, in + "    "); } break;
    default: os << "?"; break;
  }
  os << "\n";
}

inline void graph_dump(const ir::Graph& g, std::ostream& os, const std::string& in) {
  auto vals = [](const std::vector<ir::Value*>& vs) {
    std::string s;
    for (const ir::Value* v : vs) s += (v ? v->name + ":" + v->type.str() : std::string("<none>")) + " ";
    return s;
  };
  os << in << "graph " << g.name << "\n" << in << " inputs " << vals(g.inputs) << "\n"
     << in << " outputs " << vals(g.outputs) << "\n" << in << " captures " << vals(g.captures) << "\n";
  for (const ir::Value* v : g.initializers) os << in << " init " << v->name << " " << tensor_dump(*v->constant) << "\n";
  for (const auto& n : g.nodes()) {
    os << in << " node " << n->name << " " << n->domain << "." << n->op_type << " opset " << n->opset << " in "
       << vals(n->inputs) << "implicit " << n->implicit_inputs << " out " << vals(n->outputs) << "fused_from";
    for (const auto& f : n->fused_from) os << " " << f;
    os << "\n";
    for (const auto& [k, a] : n->attrs) attr_dump(a, os, in);
  }
}

inline std::string model_dump(const ir::Model& m) {
  std::ostringstream os;
  for (const auto& [d, v] : m.opset_imports) os << "opset '" << d << "' " << v << "\n";
  for (const auto& [k, v] : m.metadata_props) os << "meta " << k << "=" << v << "\n";
  graph_dump(*m.graph, os, "");
  return os.str();
}

// The file (from /proc/self/maps) whose mapping contains `p`; empty when none does.
inline std::string mapped_file_of(const void* p) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  const auto addr = reinterpret_cast<uintptr_t>(p);
  while (std::getline(maps, line)) {
    uintptr_t lo = 0, hi = 0;
    if (std::sscanf(line.c_str(), "%lx-%lx", &lo, &hi) != 2 || addr < lo || addr >= hi) continue;
    const size_t slash = line.find('/');
    return slash == std::string::npos ? std::string() : line.substr(slash);
  }
  return {};
}

}  // namespace ember::test
