#include "ir/types.h"

#include <sstream>

namespace ember::ir {

TypeInfo TypeInfo::tensor(DType t, const Dims& shape) {
  TypeInfo ti;
  ti.dtype = t;
  ti.has_shape = true;
  for (int64_t d : shape) ti.dims.push_back(Dim::of(d));
  return ti;
}

TypeInfo TypeInfo::tensor_unknown_shape(DType t) {
  TypeInfo ti;
  ti.dtype = t;
  return ti;
}

bool TypeInfo::is_static() const {
  if (kind != ValueKind::Tensor || !has_shape || dtype == DType::Undefined) return false;
  for (const Dim& d : dims)
    if (!d.known()) return false;
  return true;
}

Dims TypeInfo::static_dims() const {
  Dims out;
  for (const Dim& d : dims) out.push_back(d.value);
  return out;
}

std::string TypeInfo::str() const {
  std::ostringstream os;
  if (kind == ValueKind::Sequence) return "seq(" + (elem ? elem->str() : std::string("?")) + ")";
  if (kind == ValueKind::Optional) return "optional(" + (elem ? elem->str() : std::string("?")) + ")";
  os << dtype_name(dtype);
  if (!has_shape) return os.str() + "[?]";
  os << '[';
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i) os << ", ";
    if (dims[i].known()) os << dims[i].value;
    else if (!dims[i].symbol.empty()) os << dims[i].symbol;
    else os << '?';
  }
  os << ']';
  return os.str();
}

}  // namespace ember::ir
