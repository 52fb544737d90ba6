#include "onnx/wire.h"

#include <cstring>

namespace ember::onnx {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the wire reader copies fixed-width values as little-endian bytes");

namespace {

const char* wire_type_name(WireType t) {
  switch (t) {
    case WireType::Varint: return "varint";
    case WireType::Fixed64: return "fixed64";
    case WireType::Len: return "length-delimited";
    case WireType::Fixed32: return "fixed32";
  }
  return "?";
}

}  // namespace

WireReader::WireReader(const uint8_t* begin, const uint8_t* end, const uint8_t* origin,
                       const char* message)
    : pos_(begin), end_(end), origin_(origin), message_(message), value_(begin) {}

void WireReader::fail_here(const std::string& why) const {
  fail(Status::InvalidModel, "malformed ONNX model: ", message_, " at byte ", offset(), ": ", why);
}

uint64_t WireReader::read_varint(const uint8_t*& p, const uint8_t* end) const {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (p == end) fail_here("truncated varint (the data ends inside it)");
    const uint8_t b = *p++;
    // The tenth byte holds only bit 63; anything more does not fit in 64 bits.
    if (i == 9 && b > 1) fail_here("varint overflows 64 bits");
    v |= uint64_t(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return v;
  }
  fail_here("varint longer than 10 bytes");
}

bool WireReader::next() {
  if (pos_ == end_) return false;
  value_ = pos_;
  const uint64_t tag = read_varint(pos_, end_);
  const uint64_t field = tag >> 3;
  const unsigned wt = unsigned(tag & 7);
  if (field == 0 || field > 0x1fffffff) fail_here(str_cat("invalid field number ", field));
  field_ = uint32_t(field);
  value_ = pos_;
  switch (wt) {
    case 0:
      type_ = WireType::Varint;
      scalar_ = read_varint(pos_, end_);
      break;
    case 1:
    case 5: {
      const size_t n = wt == 1 ? 8 : 4;
      if (size_t(end_ - pos_) < n)
        fail_here(str_cat("field ", field_, ": fixed-width value runs past the end of the message"));
      scalar_ = 0;
      std::memcpy(&scalar_, pos_, n);
      pos_ += n;
      type_ = wt == 1 ? WireType::Fixed64 : WireType::Fixed32;
      break;
    }
    case 2: {
      const uint64_t len = read_varint(pos_, end_);
      if (len > uint64_t(end_ - pos_))
        fail_here(str_cat("field ", field_, ": length ", len, " runs past the end of the message (",
                          size_t(end_ - pos_), " bytes left)"));
      type_ = WireType::Len;
      value_ = pos_;
      len_ = size_t(len);
      pos_ += len_;
      break;
    }
    case 3:
    case 4:
      fail_here(str_cat("field ", field_, ": protobuf groups (wire type ", wt,
                        ") are not valid in ONNX files"));
    default:
      fail_here(str_cat("field ", field_, ": invalid wire type ", wt));
  }
  return true;
}

void WireReader::expect(WireType t, const char* what) const {
  if (type_ != t)
    fail_here(str_cat("field ", field_, " (", what, ") has wire type ", wire_type_name(type_),
                      ", expected ", wire_type_name(t)));
}

uint64_t WireReader::as_uint64(const char* what) const {
  expect(WireType::Varint, what);
  return scalar_;
}
int64_t WireReader::as_int64(const char* what) const { return int64_t(as_uint64(what)); }
int32_t WireReader::as_int32(const char* what) const {
  return int32_t(uint32_t(as_uint64(what)));  // negative int32 values are sign-extended varints
}
float WireReader::as_float(const char* what) const {
  expect(WireType::Fixed32, what);
  const uint32_t bits = uint32_t(scalar_);
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
double WireReader::as_double(const char* what) const {
  expect(WireType::Fixed64, what);
  double d;
  std::memcpy(&d, &scalar_, 8);
  return d;
}
std::string_view WireReader::as_bytes(const char* what) const {
  expect(WireType::Len, what);
  return {reinterpret_cast<const char*>(value_), len_};
}
WireReader WireReader::as_message(const char* what, const char* message) const {
  expect(WireType::Len, what);
  return WireReader(value_, value_ + len_, origin_, message);
}

template <class T, class Get>
void WireReader::append_packed(const char* what, WireType scalar, std::vector<T>& out, Get get) const {
  if (type_ != WireType::Len) {
    expect(scalar, what);
    out.push_back(get(scalar_));
    return;
  }
  const uint8_t* p = value_;
  const uint8_t* end = value_ + len_;
  if (scalar == WireType::Varint) {
    while (p != end) out.push_back(get(read_varint(p, end)));
    return;
  }
  const size_t width = scalar == WireType::Fixed64 ? 8 : 4;
  if (len_ % width)
    fail_here(str_cat("field ", field_, " (", what, "): packed length ", len_,
                      " is not a multiple of ", width));
  out.reserve(out.size() + len_ / width);
  for (; p != end; p += width) {
    uint64_t bits = 0;
    std::memcpy(&bits, p, width);
    out.push_back(get(bits));
  }
}

void WireReader::append_int64s(const char* what, std::vector<int64_t>& out) const {
  append_packed(what, WireType::Varint, out, [](uint64_t v) { return int64_t(v); });
}
void WireReader::append_uint64s(const char* what, std::vector<uint64_t>& out) const {
  append_packed(what, WireType::Varint, out, [](uint64_t v) { return v; });
}
void WireReader::append_int32s(const char* what, std::vector<int32_t>& out) const {
  append_packed(what, WireType::Varint, out, [](uint64_t v) { return int32_t(uint32_t(v)); });
}
void WireReader::append_floats(const char* what, std::vector<float>& out) const {
  append_packed(what, WireType::Fixed32, out, [](uint64_t v) {
    const uint32_t bits = uint32_t(v);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  });
}
void WireReader::append_doubles(const char* what, std::vector<double>& out) const {
  append_packed(what, WireType::Fixed64, out, [](uint64_t v) {
    double d;
    std::memcpy(&d, &v, 8);
    return d;
  });
}

}  // namespace ember::onnx
