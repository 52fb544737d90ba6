// A small protobuf wire-format *encoder*, the counterpart of wire.h, just enough to write
// ONNX files. Messages are built bottom-up: a nested message is encoded into its own
// ProtoWriter and appended to its parent with a length prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ember::onnx {

class ProtoWriter {
 public:
  // Integer fields (int32/int64/enum/bool) as varints; negative values take ten bytes, as
  // protobuf's int64 encoding requires (two's complement, no zig-zag).
  void int_field(uint32_t field, int64_t v);
  void float_field(uint32_t field, float v);
  void bytes_field(uint32_t field, std::string_view bytes);
  void string_field(uint32_t field, std::string_view s) { bytes_field(field, s); }
  void message_field(uint32_t field, const ProtoWriter& m) { bytes_field(field, m.buf_); }
  // Repeated scalars, packed into one length-delimited field (parsers accept packed and
  // unpacked forms for every repeated scalar field).
  void packed_ints(uint32_t field, const std::vector<int64_t>& v);
  void packed_floats(uint32_t field, const std::vector<float>& v);

  const std::string& bytes() const { return buf_; }
  size_t size() const { return buf_.size(); }

 private:
  void tag(uint32_t field, int wire_type);
  void varint(uint64_t v);
  std::string buf_;
};

}  // namespace ember::onnx
