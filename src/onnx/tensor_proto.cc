#include "onnx/tensor_proto.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <type_traits>

#include "ir/narrow_types.h"
#include "onnx/mapped_file.h"
#include "onnx/type_import.h"

namespace ember::onnx {

namespace {

// numel with overflow and sign checks, before anything is allocated from hostile dims. The
// product of the non-zero dims must fit even when a zero makes numel 0, because code that
// multiplies dims left to right (dims_numel) would otherwise overflow before reaching the 0.
int64_t checked_numel(const Dims& dims, const std::string& what) {
  int64_t n = 1;
  bool zero = false;
  for (int64_t d : dims) {
    EMBER_CHECK(d >= 0, InvalidModel, what, ": negative dimension in dims ", dims_str(dims));
    if (d == 0) {
      zero = true;
      continue;
    }
    EMBER_CHECK(!__builtin_mul_overflow(n, d, &n), InvalidModel, what, ": dims ", dims_str(dims),
                " overflow the element count");
  }
  return zero ? 0 : n;
}

// Byte count of `numel` elements, refusing sizes that do not fit the address space.
size_t checked_nbytes(int64_t numel, DType dt, const std::string& what) {
  size_t bytes = 0;
  EMBER_CHECK(!__builtin_mul_overflow(size_t(numel), dtype_size(dt), &bytes), InvalidModel, what,
              ": ", numel, " elements of ", dtype_name(dt), " overflow the byte count");
  return bytes;
}

// Misaligned tensors from this size on stay in the file as unaligned views (Tensor::
// unaligned_view); smaller ones are copied here. Small views cost more than their copies:
// MobileNetV2's 184 views under 1 MiB made its repeated creation 1.31-1.40x slower when they
// were materialised one by one late (end_to_end.md "Seventh pass").
constexpr size_t kViewMinBytes = size_t(64) << 10;

// Tensor over `bytes` (exactly nbytes long): in place when aligned; when not, a large tensor is
// a view that prepacking kernels read where it lies (one pass from the file to the packed
// layout) and that anything else materialises once, a small one a copy. Bool bytes other than
// 0/1 would be undefined behaviour to read as bool, so they force a normalising copy.
Tensor from_bytes(DType dt, const Dims& dims, const uint8_t* bytes, size_t n,
                  const std::shared_ptr<void>& keepalive) {
  if (n == 0) return Tensor(dt, dims);  // owned, so even empty tensors have a valid pointer
  bool in_place = reinterpret_cast<uintptr_t>(bytes) % dtype_size(dt) == 0;
  if (dt == DType::Bool)
    for (size_t i = 0; i < n && in_place; ++i) in_place = bytes[i] <= 1;
  if (in_place)
    return Tensor::wrap(dt, dims, const_cast<uint8_t*>(bytes), keepalive);  // never written
  if (dt != DType::Bool && n >= kViewMinBytes)
    return Tensor::unaligned_view(dt, dims, bytes, keepalive, &MappedFile::release_pages);
  Tensor t(dt, dims);
  if (dt == DType::Bool) {
    bool* out = t.data<bool>();
    for (size_t i = 0; i < n; ++i) out[i] = bytes[i] != 0;
  } else if (n) {
    std::memcpy(t.raw(), bytes, n);
  }
  // The copy is what the model uses: the file's pages need not stay resident beside it.
  MappedFile::release_pages(bytes, n);
  return t;
}

int64_t parse_nonnegative(const std::string& s, const std::string& key, const std::string& what) {
  int64_t v = -1;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  EMBER_CHECK(ec == std::errc() && end == s.data() + s.size() && v >= 0, InvalidModel, what,
              ": external_data ", key, " '", s, "' is not a non-negative integer");
  return v;
}

// Refuses locations that could reach outside the model's directory. The check is lexical on
// purpose: model directories are often symlink farms (e.g. the Hugging Face cache), so
// resolving links and comparing prefixes would reject legitimate files.
void check_location(const std::string& loc, const std::string& what) {
  EMBER_CHECK(!loc.empty(), InvalidModel, what, ": external_data has no location");
  EMBER_CHECK(loc.find('\0') == std::string::npos, InvalidModel, what,
              ": external_data location contains a NUL byte");
  EMBER_CHECK(loc[0] != '/' && loc[0] != '\\', InvalidModel, what, ": external_data location '", loc,
              "' is an absolute path; only paths relative to the model's directory are allowed");
  size_t start = 0;
  while (start <= loc.size()) {
    size_t stop = loc.find_first_of("/\\", start);
    if (stop == std::string::npos) stop = loc.size();
    EMBER_CHECK(loc.compare(start, stop - start, "..") != 0, InvalidModel, what,
                ": external_data location '", loc, "' escapes the model's directory ('..')");
    start = stop + 1;
  }
}

Tensor from_external(const proto::Tensor& tp, DType dt, const Dims& dims, size_t nbytes,
                     TensorSource& src, const std::string& what) {
  EMBER_CHECK(dt != DType::String, InvalidModel, what, ": string tensors cannot use external data");
  EMBER_CHECK(src.base_dir, Unsupported, what,
              ": uses external data, which needs a model loaded from a file (an in-memory model "
              "has no directory to resolve it against)");
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto& [key, value] : tp.external_data) {
    if (key == "location") location = value;
    else if (key == "offset") offset = parse_nonnegative(value, key, what);
    else if (key == "length") length = parse_nonnegative(value, key, what);
    // "checksum" and unknown keys carry nothing we need.
  }
  check_location(location, what);
  auto& file = src.external_files[location];
  if (!file) {
    try {
      file = MappedFile::open(*src.base_dir + "/" + location);
    } catch (const Error& e) {
      src.external_files.erase(location);
      fail(e.status(), what, ": external data: ", e.what());
    }
  }
  const uint64_t want = length < 0 ? nbytes : uint64_t(length);
  EMBER_CHECK(want == nbytes, InvalidModel, what, ": external data length ", want, " does not match ",
              dims_str(dims), " x ", dtype_name(dt), " = ", nbytes, " bytes");
  EMBER_CHECK(uint64_t(offset) <= file->size() && want <= file->size() - uint64_t(offset),
              InvalidModel, what, ": external data (offset ", offset, ", length ", want,
              ") lies past the end of '", location, "' (", file->size(), " bytes)");
  return from_bytes(dt, dims, file->data() + offset, nbytes, file);
}

// Copies a typed repeated field into a new tensor, range-checking each value against T.
template <class T, class S>
Tensor from_field(DType dt, const Dims& dims, const std::vector<S>& v, const char* field,
                  const std::string& what) {
  Tensor t(dt, dims);
  T* out = static_cast<T*>(t.raw());
  for (size_t k = 0; k < v.size(); ++k) {
    if constexpr (std::is_same_v<T, std::string>) {
      out[k] = std::string(v[k]);
    } else if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
      // 16-bit float bit patterns; some writers sign-extend them, so accept both spellings.
      EMBER_CHECK(v[k] >= -32768 && v[k] <= 65535, InvalidModel, what, ": ", field, "[", k,
                  "] = ", v[k], " is not a 16-bit pattern for ", dtype_name(dt));
      out[k].bits = uint16_t(v[k]);
    } else if constexpr (std::is_same_v<T, S>) {
      out[k] = v[k];
    } else {
      using L = std::numeric_limits<T>;
      const bool fits = std::is_same_v<T, bool> ? (v[k] == 0 || v[k] == 1)
                        : std::is_signed_v<S> ? (int64_t(v[k]) >= int64_t(L::min()) && int64_t(v[k]) <= int64_t(L::max()))
                                              : uint64_t(v[k]) <= uint64_t(L::max());
      EMBER_CHECK(fits, InvalidModel, what, ": ", field, "[", k, "] = ", v[k], " does not fit ",
                  dtype_name(dt));
      out[k] = static_cast<T>(v[k]);
    }
  }
  return t;
}

Tensor from_typed_fields(const proto::Tensor& tp, DType dt, const Dims& dims, int64_t numel,
                         const std::string& what) {
  // Which repeated field carries each type (onnx.proto: "int32_data" also holds the small
  // integer types, bool and the bit patterns of float16/bfloat16).
  struct Field { const char* name; size_t count; };
  const Field fields[] = {{"float_data", tp.float_data.size()},   {"int32_data", tp.int32_data.size()},
                          {"string_data", tp.string_data.size()}, {"int64_data", tp.int64_data.size()},
                          {"double_data", tp.double_data.size()}, {"uint64_data", tp.uint64_data.size()}};
  const char* want = nullptr;
  switch (dt) {
    case DType::Float32: want = "float_data"; break;
    case DType::Float64: want = "double_data"; break;
    case DType::Int64: want = "int64_data"; break;
    case DType::UInt32: case DType::UInt64: want = "uint64_data"; break;
    case DType::String: want = "string_data"; break;
    default: want = "int32_data"; break;
  }
  size_t count = 0;
  for (const Field& f : fields) {
    const bool mine = std::strcmp(f.name, want) == 0;
    EMBER_CHECK(mine || f.count == 0, InvalidModel, what, ": ", dtype_name(dt), " tensor carries ",
                f.name, " (expected ", want, " or raw_data)");
    if (mine) count = f.count;
  }
  EMBER_CHECK(int64_t(count) == numel, InvalidModel, what, ": ", want, " holds ", count,
              " values but dims ", dims_str(dims), " need ", numel);
  switch (dt) {
    case DType::Float32: return from_field<float>(dt, dims, tp.float_data, want, what);
    case DType::Float64: return from_field<double>(dt, dims, tp.double_data, want, what);
    case DType::Int64: return from_field<int64_t>(dt, dims, tp.int64_data, want, what);
    case DType::UInt32: return from_field<uint32_t>(dt, dims, tp.uint64_data, want, what);
    case DType::UInt64: return from_field<uint64_t>(dt, dims, tp.uint64_data, want, what);
    case DType::String: return from_field<std::string>(dt, dims, tp.string_data, want, what);
    case DType::Int32: return from_field<int32_t>(dt, dims, tp.int32_data, want, what);
    case DType::Int16: return from_field<int16_t>(dt, dims, tp.int32_data, want, what);
    case DType::Int8: return from_field<int8_t>(dt, dims, tp.int32_data, want, what);
    case DType::UInt16: return from_field<uint16_t>(dt, dims, tp.int32_data, want, what);
    case DType::UInt8: return from_field<uint8_t>(dt, dims, tp.int32_data, want, what);
    case DType::Bool: return from_field<bool>(dt, dims, tp.int32_data, want, what);
    case DType::Float16: return from_field<half>(dt, dims, tp.int32_data, want, what);
    case DType::BFloat16: return from_field<bfloat16>(dt, dims, tp.int32_data, want, what);
    default: break;
  }
  fail(Status::Unsupported, what, ": cannot read ", dtype_name(dt), " tensors");
}

// Narrow types (float8, int4, ...) arrive packed (2 or 4 per byte for the 4/2-bit types, in
// raw_data, external data or as one byte per int32_data entry); Ember stores them unpacked.
Tensor unpack_narrow_tensor(DType dt, const Dims& dims, int64_t numel, const uint8_t* packed) {
  Tensor t(dt, dims);
  if (numel) unpack_narrow(dt, packed, numel, static_cast<uint8_t*>(t.raw()));
  return t;
}

Tensor narrow_from_int32_data(const proto::Tensor& tp, DType dt, const Dims& dims, int64_t numel,
                              const std::string& what) {
  const size_t typed = tp.float_data.size() + tp.string_data.size() + tp.int64_data.size() +
                       tp.double_data.size() + tp.uint64_data.size();
  EMBER_CHECK(typed == 0, InvalidModel, what, ": ", dtype_name(dt),
              " tensor carries a data field other than int32_data or raw_data");
  const int64_t bytes = packed_narrow_bytes(dt, numel);
  EMBER_CHECK(int64_t(tp.int32_data.size()) == bytes, InvalidModel, what, ": int32_data holds ",
              tp.int32_data.size(), " values but dims ", dims_str(dims), " of ", dtype_name(dt),
              " need ", bytes, " (packed bytes)");
  std::vector<uint8_t> packed(static_cast<size_t>(bytes));
  for (size_t k = 0; k < packed.size(); ++k) {
    const int64_t v = tp.int32_data[k];
    EMBER_CHECK(v >= -128 && v <= 255, InvalidModel, what, ": int32_data[", k, "] = ", v,
                " is not a byte of packed ", dtype_name(dt), " data");
    packed[k] = uint8_t(v);
  }
  return unpack_narrow_tensor(dt, dims, numel, packed.data());
}

}  // namespace

Tensor tensor_from_proto(const proto::Tensor& tp, TensorSource& src, const std::string& what) {
  const DType dt = dtype_from_onnx(tp.data_type, what);
  const Dims dims(tp.dims.begin(), tp.dims.end());
  const int64_t numel = checked_numel(dims, what);
  const bool narrow = dtype_is_narrow(dt);
  const size_t nbytes = dt == DType::String ? 0
                        : narrow          ? size_t(packed_narrow_bytes(dt, numel))
                                          : checked_nbytes(numel, dt, what);
  EMBER_CHECK(!tp.has_segment, Unsupported, what, ": segmented tensors are not supported");
  EMBER_CHECK(tp.data_location == 0 || tp.data_location == 1, InvalidModel, what,
              ": unknown data_location ", tp.data_location);
  if (tp.data_location == 1) {
    EMBER_CHECK(!tp.has_raw_data, InvalidModel, what, ": has both raw_data and external data");
    if (narrow) {
      // Read the packed bytes as uint8 first; from_external checks offset and length.
      const Tensor packed = from_external(tp, DType::UInt8, Dims{int64_t(nbytes)}, nbytes, src, what);
      return unpack_narrow_tensor(dt, dims, numel, static_cast<const uint8_t*>(packed.raw()));
    }
    return from_external(tp, dt, dims, nbytes, src, what);
  }
  if (tp.has_raw_data) {
    EMBER_CHECK(dt != DType::String, InvalidModel, what,
                ": string tensors must use string_data, not raw_data");
    EMBER_CHECK(tp.raw_data.size() == nbytes, InvalidModel, what, ": raw_data has ",
                tp.raw_data.size(), " bytes but dims ", dims_str(dims), " x ", dtype_name(dt),
                " need ", nbytes);
    const size_t typed = tp.float_data.size() + tp.int32_data.size() + tp.string_data.size() +
                         tp.int64_data.size() + tp.double_data.size() + tp.uint64_data.size();
    EMBER_CHECK(typed == 0, InvalidModel, what, ": has both raw_data and a typed data field");
    if (narrow)
      return unpack_narrow_tensor(dt, dims, numel, reinterpret_cast<const uint8_t*>(tp.raw_data.data()));
    return from_bytes(dt, dims, reinterpret_cast<const uint8_t*>(tp.raw_data.data()), nbytes,
                      src.keepalive);
  }
  if (narrow) return narrow_from_int32_data(tp, dt, dims, numel, what);
  return from_typed_fields(tp, dt, dims, numel, what);
}

}  // namespace ember::onnx
