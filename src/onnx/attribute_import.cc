#include "onnx/attribute_import.h"

#include <vector>

#include "onnx/type_import.h"

namespace ember::onnx {

namespace {

using AT = ir::AttrType;

// Early IR versions did not write AttributeProto.type; the value field that is present then
// tells the type. Scalars equal to zero are not serialised by proto3, so "no field at all" is
// ambiguous and refused.
AT infer_type(const proto::Attribute& pa, const std::string& what) {
  std::vector<AT> seen;
  if (pa.has_f) seen.push_back(AT::Float);
  if (pa.has_i) seen.push_back(AT::Int);
  if (pa.has_s) seen.push_back(AT::String);
  if (pa.t) seen.push_back(AT::Tensor);
  if (pa.g) seen.push_back(AT::Graph);
  if (!pa.floats.empty()) seen.push_back(AT::Floats);
  if (!pa.ints.empty()) seen.push_back(AT::Ints);
  if (!pa.strings.empty()) seen.push_back(AT::Strings);
  if (!pa.tensors.empty()) seen.push_back(AT::Tensors);
  if (!pa.graphs.empty()) seen.push_back(AT::Graphs);
  if (pa.tp) seen.push_back(AT::TypeProto);
  EMBER_CHECK(seen.size() == 1, InvalidModel, what, ": no type is given and ",
              seen.empty() ? "no value field is set" : "several value fields are set",
              ", so the type cannot be inferred");
  return seen[0];
}

}  // namespace

ir::Attribute import_attribute(const proto::Attribute& pa, ImportContext& ctx, const std::string& node) {
  const std::string what = node + ": attribute '" + pa.name + "'";
  EMBER_CHECK(!pa.name.empty(), InvalidModel, node, ": an attribute has an empty name");
  EMBER_CHECK(pa.ref_attr_name.empty(), Unsupported, what, ": ref_attr_name ('", pa.ref_attr_name,
              "') is only meaningful inside functions, which are not supported");
  ir::Attribute a;
  a.name = pa.name;
  switch (pa.type) {
    case 0: a.type = infer_type(pa, what); break;
    case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9: case 10: case 13:
      a.type = static_cast<AT>(pa.type);
      break;
    case 11: case 12:
      fail(Status::Unsupported, what, ": sparse tensor attributes are not supported");
    case 14:
      fail(Status::Unsupported, what, ": TYPE_PROTOS attributes are not supported");
    default:
      fail(Status::InvalidModel, what, ": unknown attribute type ", pa.type);
  }
  switch (a.type) {
    case AT::Float: a.f = pa.f; break;
    case AT::Int: a.i = pa.i; break;
    case AT::String: a.s = pa.s; break;
    case AT::Floats: a.floats = pa.floats; break;
    case AT::Ints: a.ints = pa.ints; break;
    case AT::Strings: a.strings = pa.strings; break;
    case AT::Tensor:
      EMBER_CHECK(pa.t, InvalidModel, what, ": type TENSOR but no tensor value");
      a.t = tensor_from_proto(*pa.t, ctx.tensors, what);
      break;
    case AT::Tensors:
      for (size_t k = 0; k < pa.tensors.size(); ++k)
        a.tensors.push_back(tensor_from_proto(pa.tensors[k], ctx.tensors, str_cat(what, "[", k, "]")));
      break;
    case AT::TypeProto:
      EMBER_CHECK(pa.tp, InvalidModel, what, ": type TYPE_PROTO but no type value");
      a.type_proto = type_from_proto(*pa.tp, what);
      break;
    case AT::Graph:
      EMBER_CHECK(pa.g, InvalidModel, what, ": type GRAPH but no graph value");
      break;
    case AT::Graphs:
      break;
    default:
      fail(Status::InvalidModel, what, ": unknown attribute type ", pa.type);
  }
  // Sparse values and type_protos can only be refused; a file naming another type but also
  // carrying them would otherwise lose data silently.
  EMBER_CHECK(!pa.has_sparse, Unsupported, what, ": sparse tensor values are not supported");
  EMBER_CHECK(!pa.has_type_protos, Unsupported, what, ": type_protos values are not supported");
  return a;
}

}  // namespace ember::onnx
