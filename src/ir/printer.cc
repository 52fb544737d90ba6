#include "ir/printer.h"

#include <string>

namespace ember::ir {

namespace {

constexpr size_t kMaxListed = 8;  // longer attribute lists are elided

std::string value_ref(const Value* v) {
  if (!v) return "<none>";
  return (v->constant && !v->is_input ? "@" : "%") + v->name;
}

template <class T>
void print_list(const std::vector<T>& xs, std::ostream& os) {
  os << '[';
  for (size_t i = 0; i < xs.size() && i < kMaxListed; ++i) os << (i ? ", " : "") << xs[i];
  if (xs.size() > kMaxListed) os << ", ... (" << xs.size() << " values)";
  os << ']';
}

// Subgraphs are only named here; print_graph prints their bodies under the node.
void print_attr(const Attribute& a, std::ostream& os) {
  switch (a.type) {
    case AttrType::Float: os << a.f; break;
    case AttrType::Int: os << a.i; break;
    case AttrType::String: os << '"' << a.s << '"'; break;
    case AttrType::Tensor: os << "tensor " << dtype_name(a.t.dtype()) << dims_str(a.t.shape()); break;
    case AttrType::Graph: os << "graph '" << (a.g ? a.g->name : "") << "'"; break;
    case AttrType::Floats: print_list(a.floats, os); break;
    case AttrType::Ints: print_list(a.ints, os); break;
    case AttrType::Strings: print_list(a.strings, os); break;
    case AttrType::Tensors: os << a.tensors.size() << " tensors"; break;
    case AttrType::Graphs: os << a.graphs.size() << " graphs"; break;
    case AttrType::TypeProto: os << (a.type_proto ? a.type_proto->str() : "?"); break;
    default: os << '?';
  }
}

void print_values(const std::vector<Value*>& vs, std::ostream& os) {
  for (size_t i = 0; i < vs.size(); ++i)
    os << (i ? ", " : "") << value_ref(vs[i]) << ": " << (vs[i] ? vs[i]->type.str() : "");
}

}  // namespace

void print_graph(const Graph& g, std::ostream& os, int indent) {
  const std::string pad(size_t(indent), ' ');
  os << pad << "graph '" << g.name << "'\n" << pad << "  inputs:  ";
  print_values(g.inputs, os);
  if (!g.captures.empty()) {
    os << "\n" << pad << "  captures: ";
    print_values(g.captures, os);
  }
  os << "\n" << pad << "  constants: " << g.initializers.size() << "\n";
  for (const auto& n : g.nodes()) {
    os << pad << "  ";
    for (size_t i = 0; i < n->outputs.size(); ++i)
      os << (i ? ", " : "") << value_ref(n->outputs[i]) << (n->outputs[i] ? ": " + n->outputs[i]->type.str() : "");
    os << " = " << (n->domain.empty() ? "" : n->domain + ".") << n->op_type << '(';
    for (size_t i = 0; i < n->explicit_input_count(); ++i) os << (i ? ", " : "") << value_ref(n->inputs[i]);
    os << ')';
    if (!n->attrs.empty()) {
      os << " {";
      bool first = true;
      for (const auto& [name, a] : n->attrs) {
        os << (first ? "" : ", ") << name << '=';
        print_attr(a, os);
        first = false;
      }
      os << '}';
    }
    os << "  # " << n->name << "\n";
    for (const auto& [name, a] : n->attrs) {
      if (a.g) print_graph(*a.g, os, indent + 4);
      for (const auto& sg : a.graphs) print_graph(*sg, os, indent + 4);
    }
  }
  os << pad << "  outputs: ";
  print_values(g.outputs, os);
  os << "\n";
}

}  // namespace ember::ir
