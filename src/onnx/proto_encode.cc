#include "onnx/proto_encode.h"

#include <cstring>

namespace ember::onnx {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the ONNX writer copies fixed-width values and tensor bytes as they are in memory");

void ProtoWriter::varint(uint64_t v) {
  while (v >= 0x80) {
    buf_.push_back(char(uint8_t(v) | 0x80));
    v >>= 7;
  }
  buf_.push_back(char(v));
}

void ProtoWriter::tag(uint32_t field, int wire_type) { varint((uint64_t(field) << 3) | uint64_t(wire_type)); }

void ProtoWriter::int_field(uint32_t field, int64_t v) {
  tag(field, 0);
  varint(uint64_t(v));
}

void ProtoWriter::float_field(uint32_t field, float v) {
  tag(field, 5);
  char b[4];
  std::memcpy(b, &v, 4);
  buf_.append(b, 4);
}

void ProtoWriter::bytes_field(uint32_t field, std::string_view bytes) {
  tag(field, 2);
  varint(bytes.size());
  buf_.append(bytes);
}

void ProtoWriter::packed_ints(uint32_t field, const std::vector<int64_t>& v) {
  ProtoWriter body;
  for (int64_t x : v) body.varint(uint64_t(x));
  bytes_field(field, body.buf_);
}

void ProtoWriter::packed_floats(uint32_t field, const std::vector<float>& v) {
  bytes_field(field, std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float)));
}

}  // namespace ember::onnx
