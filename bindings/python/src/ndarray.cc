#include "ndarray.h"

#include <cstdint>
#include <memory>

#include "support/error.h"

namespace py = pybind11;

namespace ember::python {

namespace {

// Element types numpy has no builtin for; the ml_dtypes package (a dependency of onnx) names
// them. Its int4/int2 arrays hold the 4/2-bit code in the low bits of each byte, while Ember
// sign-extends them (see dtype.h), so those two are converted on the way in and out.
struct MlName { DType t; const char* name; };
constexpr MlName kMlDtypes[] = {
    {DType::BFloat16, "bfloat16"},           {DType::Float8E4M3FN, "float8_e4m3fn"},
    {DType::Float8E4M3FNUZ, "float8_e4m3fnuz"}, {DType::Float8E5M2, "float8_e5m2"},
    {DType::Float8E5M2FNUZ, "float8_e5m2fnuz"}, {DType::UInt4, "uint4"},
    {DType::Int4, "int4"},                   {DType::Float4E2M1, "float4_e2m1fn"},
    {DType::Float8E8M0, "float8_e8m0fnu"},   {DType::UInt2, "uint2"},
    {DType::Int2, "int2"},
};

bool is_signed_narrow_int(DType t) { return t == DType::Int4 || t == DType::Int2; }

}  // namespace

py::dtype to_numpy_dtype(DType t) {
  for (const MlName& m : kMlDtypes) {
    if (m.t != t) continue;
    try {
      return py::dtype::from_args(py::module_::import("ml_dtypes").attr(m.name));
    } catch (const py::error_already_set&) {
      fail(Status::Unsupported, "element type ", dtype_name(t),
           " needs the ml_dtypes package in the Python binding");
    }
  }
  switch (t) {
    case DType::Float32: return py::dtype::of<float>();
    case DType::Float64: return py::dtype::of<double>();
    case DType::Float16: return py::dtype("float16");
    case DType::Int8: return py::dtype::of<int8_t>();
    case DType::UInt8: return py::dtype::of<uint8_t>();
    case DType::Int16: return py::dtype::of<int16_t>();
    case DType::UInt16: return py::dtype::of<uint16_t>();
    case DType::Int32: return py::dtype::of<int32_t>();
    case DType::UInt32: return py::dtype::of<uint32_t>();
    case DType::Int64: return py::dtype::of<int64_t>();
    case DType::UInt64: return py::dtype::of<uint64_t>();
    case DType::Bool: return py::dtype::of<bool>();
    default: break;
  }
  fail(Status::Unsupported, "element type ", dtype_name(t), " has no numpy equivalent in the Python binding");
}

py::object dtype_for_info(DType t) {
  if (t == DType::BFloat16 || t == DType::String || t == DType::Undefined) return py::str(dtype_name(t));
  return to_numpy_dtype(t);
}

DType from_numpy_dtype(const py::dtype& dt, const std::string& what) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'V' || (kind == 'f' && size == 1)) {  // ml_dtypes types (float8_e5m2 says 'f')
    const std::string name = py::str(dt.attr("name")).cast<std::string>();
    for (const MlName& m : kMlDtypes)
      if (name == m.name && size_t(size) == dtype_size(m.t)) return m.t;
  }
  if (kind == 'b' && size == 1) return DType::Bool;
  if (kind == 'f') {
    if (size == 2) return DType::Float16;
    if (size == 4) return DType::Float32;
    if (size == 8) return DType::Float64;
  }
  if (kind == 'i' || kind == 'u') {
    const bool s = kind == 'i';
    switch (size) {
      case 1: return s ? DType::Int8 : DType::UInt8;
      case 2: return s ? DType::Int16 : DType::UInt16;
      case 4: return s ? DType::Int32 : DType::UInt32;
      case 8: return s ? DType::Int64 : DType::UInt64;
      default: break;
    }
  }
  fail(Status::TypeMismatch, what, ": numpy dtype ", py::str(dt).cast<std::string>(),
       " has no Ember element type (use bool, float16/32/64 or a fixed-size integer)");
}

namespace {

bool wrappable(const py::array& a) {
  const auto addr = reinterpret_cast<uintptr_t>(a.data());
  return (a.flags() & py::array::c_style) && a.dtype().attr("isnative").cast<bool>() &&
         addr % size_t(a.itemsize()) == 0;
}

}  // namespace

Tensor tensor_from_array(py::array a, const std::string& what) {
  const DType dt = from_numpy_dtype(a.dtype(), what);
  if (!wrappable(a)) {
    // One numpy call handles non-contiguous strides, misalignment and foreign byte order.
    py::dtype native = a.dtype().attr("newbyteorder")("=");
    a = py::module_::import("numpy").attr("ascontiguousarray")(a, native);
  }
  Dims shape(a.shape(), a.shape() + a.ndim());
  if (is_signed_narrow_int(dt)) {  // low-bit code -> sign-extended int8 (a copy)
    Tensor t(dt, shape);
    const auto* src = static_cast<const uint8_t*>(a.data());
    const int bits = dtype_wire_bits(dt);
    auto* out = static_cast<int8_t*>(t.raw());
    for (int64_t i = 0; i < t.numel(); ++i)
      out[i] = int8_t(uint8_t(src[i] << (8 - bits))) >> (8 - bits);
    return t;
  }
  // The runtime may keep (or, on another thread, drop) its copy of the tensor at any time, so
  // the reference to the array is released under the GIL by whoever drops it last.
  std::shared_ptr<void> keepalive(new py::object(a), [](void* p) {
    py::gil_scoped_acquire gil;
    delete static_cast<py::object*>(p);
  });
  // Inputs are read-only to the runtime, so wrapping a read-only array is safe.
  return Tensor::wrap(dt, std::move(shape), const_cast<void*>(a.data()), std::move(keepalive));
}

py::array array_from_tensor(Tensor t) {
  py::dtype dt = to_numpy_dtype(t.dtype());
  std::vector<py::ssize_t> shape(t.shape().begin(), t.shape().end());
  if (t.numel() == 0 || t.raw() == nullptr) return py::array(dt, shape);
  if (is_signed_narrow_int(t.dtype())) {  // sign-extended int8 -> low-bit code (a copy)
    py::array out(dt, shape);
    const uint8_t mask = uint8_t((1u << dtype_wire_bits(t.dtype())) - 1);
    const auto* src = static_cast<const uint8_t*>(t.raw());
    auto* dst = static_cast<uint8_t*>(out.mutable_data());
    for (int64_t i = 0; i < t.numel(); ++i) dst[i] = src[i] & mask;
    return out;
  }
  auto* owned = new Tensor(std::move(t));
  py::capsule base(owned, [](void* p) { delete static_cast<Tensor*>(p); });
  return py::array(dt, shape, owned->raw(), base);
}

}  // namespace ember::python
