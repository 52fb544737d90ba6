// A small, bounds-checked reader for the protobuf wire format, just enough for ONNX files.
// We do not link libprotobuf: an embeddable library should not drag it (and its version
// conflicts) into host applications, and ONNX needs only a handful of message types.
//
// Every read is checked against the end of the enclosing message, so a truncated or hostile
// file ends in Status::InvalidModel naming the message, the field and the byte offset, never in
// an out-of-bounds read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.h"

namespace ember::onnx {

enum class WireType : uint8_t { Varint = 0, Fixed64 = 1, Len = 2, Fixed32 = 5 };

class WireReader {
 public:
  // Reads the bytes [begin, end). `origin` is the start of the whole buffer, used only to
  // report file offsets; `message` names the message type being read ("TensorProto").
  WireReader(const uint8_t* begin, const uint8_t* end, const uint8_t* origin, const char* message);

  // Moves to the next field; false at the end of the message. Rejects field number 0, groups
  // (wire types 3/4, deprecated and never written for ONNX) and undefined wire types 6/7.
  bool next();

  uint32_t field() const { return field_; }
  WireType wire_type() const { return type_; }

  // Typed accessors for the current field. Each checks the wire type and fails with
  // InvalidModel naming `what` (the field name) when it differs.
  uint64_t as_uint64(const char* what) const;
  int64_t as_int64(const char* what) const;
  int32_t as_int32(const char* what) const;  // int32 / enum: low 32 bits of the varint
  float as_float(const char* what) const;
  double as_double(const char* what) const;
  std::string_view as_bytes(const char* what) const;  // points into the buffer
  std::string as_string(const char* what) const { return std::string(as_bytes(what)); }
  // A reader over the embedded message in the current (length-delimited) field.
  WireReader as_message(const char* what, const char* message) const;

  // Repeated scalar fields arrive either packed (one length-delimited field) or one value per
  // field; both forms are valid protobuf, so both are accepted and appended to `out`.
  void append_int64s(const char* what, std::vector<int64_t>& out) const;
  void append_uint64s(const char* what, std::vector<uint64_t>& out) const;
  void append_int32s(const char* what, std::vector<int32_t>& out) const;
  void append_floats(const char* what, std::vector<float>& out) const;
  void append_doubles(const char* what, std::vector<double>& out) const;

  // Byte offset, from the start of the buffer, of the current field (for error messages).
  size_t offset() const { return size_t(value_ - origin_); }
  const char* message() const { return message_; }

  [[noreturn]] void fail_here(const std::string& why) const;

 private:
  uint64_t read_varint(const uint8_t*& p, const uint8_t* end) const;
  void expect(WireType t, const char* what) const;
  template <class T, class Get>
  void append_packed(const char* what, WireType scalar, std::vector<T>& out, Get get) const;

  const uint8_t* pos_;
  const uint8_t* end_;
  const uint8_t* origin_;
  const char* message_;

  uint32_t field_ = 0;
  WireType type_ = WireType::Varint;
  uint64_t scalar_ = 0;              // varint / fixed value of the current field
  const uint8_t* value_ = nullptr;   // start of the current field's value
  size_t len_ = 0;                   // length of a length-delimited value
};

}  // namespace ember::onnx
