#include "onnx/type_import.h"

namespace ember::onnx {

DType dtype_from_onnx(int32_t code, const std::string& what, bool allow_undefined) {
  if (code == 0) {
    EMBER_CHECK(allow_undefined, InvalidModel, what, ": element type is UNDEFINED (0)");
    return DType::Undefined;
  }
  if (dtype_is_valid(code)) return static_cast<DType>(code);
  if (const char* name = onnx_only_type_name(code))
    fail(Status::Unsupported, what, ": element type ", name, " (ONNX code ", code,
         ") is not supported");
  fail(Status::InvalidModel, what, ": unknown element type code ", code);
}

ir::TypeInfo type_from_proto(const proto::Type& t, const std::string& what) {
  using K = proto::Type::Kind;
  ir::TypeInfo out;
  switch (t.kind) {
    case K::Unset:
      return out;
    case K::Tensor:
      out.dtype = dtype_from_onnx(t.elem_type, what, /*allow_undefined=*/true);
      out.has_shape = t.has_shape;
      for (const auto& d : t.dims) {
        ir::Dim dim;
        if (d.has_value) {
          EMBER_CHECK(d.value >= 0, InvalidModel, what, ": negative dimension ", d.value,
                      " in its declared shape");
          dim.value = d.value;
        }
        dim.symbol = d.param;
        out.dims.push_back(std::move(dim));
      }
      return out;
    case K::Sequence:
    case K::Optional:
      out.kind = t.kind == K::Sequence ? ir::ValueKind::Sequence : ir::ValueKind::Optional;
      // An absent element type means "unknown", which the IR spells as an unknown tensor.
      out.elem = std::make_shared<ir::TypeInfo>(t.elem ? type_from_proto(*t.elem, what) : ir::TypeInfo{});
      out.dtype = out.elem->dtype;
      return out;
    case K::Map:
      fail(Status::Unsupported, what, ": map types are not supported");
    case K::SparseTensor:
      fail(Status::Unsupported, what, ": sparse tensor types are not supported");
    case K::Opaque:
      fail(Status::Unsupported, what, ": opaque types are not supported");
  }
  fail(Status::InvalidModel, what, ": unknown TypeProto kind");
}

}  // namespace ember::onnx
