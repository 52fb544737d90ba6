// A tiny protobuf *encoder* for tests: builds ONNX model bytes field by field, so tests can
// produce exactly the (valid or broken) files they need without the onnx Python package.
// Field numbers are onnx.proto3's, written out here independently of the reader's decoder.
#pragma once

#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember::test::pb {

class Msg {
 public:
  static void put_varint(std::string& out, uint64_t v) {
    while (v >= 0x80) {
      out.push_back(char(uint8_t(v) | 0x80));
      v >>= 7;
    }
    out.push_back(char(v));
  }
  Msg& tag(uint32_t field, int wire_type) {
    put_varint(buf_, (uint64_t(field) << 3) | uint64_t(wire_type));
    return *this;
  }
  Msg& varint(uint32_t field, uint64_t v) {
    tag(field, 0);
    put_varint(buf_, v);
    return *this;
  }
  Msg& i64(uint32_t field, int64_t v) { return varint(field, uint64_t(v)); }
  Msg& f32(uint32_t field, float v) {
    tag(field, 5);
    return fixed(&v, 4);
  }
  Msg& f64(uint32_t field, double v) {
    tag(field, 1);
    return fixed(&v, 8);
  }
  Msg& bytes(uint32_t field, std::string_view b) {
    tag(field, 2);
    put_varint(buf_, b.size());
    buf_.append(b);
    return *this;
  }
  Msg& msg(uint32_t field, const Msg& m) { return bytes(field, m.str()); }
  Msg& packed_i64(uint32_t field, const std::vector<int64_t>& v) {
    std::string body;
    for (int64_t x : v) put_varint(body, uint64_t(x));
    return bytes(field, body);
  }
  Msg& packed_f32(uint32_t field, const std::vector<float>& v) {
    return bytes(field, std::string_view(reinterpret_cast<const char*>(v.data()), v.size() * 4));
  }
  Msg& raw(std::string_view b) {  // arbitrary bytes, for malformed input
    buf_.append(b);
    return *this;
  }
  const std::string& str() const { return buf_; }

 private:
  Msg& fixed(const void* p, size_t n) {
    buf_.append(static_cast<const char*>(p), n);
    return *this;
  }
  std::string buf_;
};

// ---- ONNX messages -------------------------------------------------------------------------

// TensorProto with raw_data.
inline Msg tensor_raw(const std::string& name, int dtype, const std::vector<int64_t>& dims,
                      std::string_view raw) {
  Msg t;
  t.packed_i64(1, dims).varint(2, uint64_t(dtype)).bytes(8, name).bytes(9, raw);
  return t;
}
template <class T>
std::string raw_of(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}
// TensorProto header (dims, type, name) to which a test appends a typed data field.
inline Msg tensor_head(const std::string& name, int dtype, const std::vector<int64_t>& dims) {
  Msg t;
  t.packed_i64(1, dims).varint(2, uint64_t(dtype)).bytes(8, name);
  return t;
}

// TypeProto of a tensor. Each dim is a number, a symbol, or "?" (no value, no symbol).
inline Msg type_tensor(int elem, const std::vector<std::string>& dims, bool has_shape = true) {
  Msg tt;
  tt.varint(1, uint64_t(elem));
  if (has_shape) {
    Msg shape;
    for (const auto& d : dims) {
      Msg dim;
      if (d == "?") {
      } else if (!d.empty() && (std::isdigit(uint8_t(d[0])) || d[0] == '-')) {
        dim.i64(1, std::stoll(d));
      } else {
        dim.bytes(2, d);
      }
      shape.msg(1, dim);
    }
    tt.msg(2, shape);
  }
  Msg t;
  t.msg(1, tt);
  return t;
}
inline Msg type_sequence(const Msg& elem) {
  Msg s, t;
  s.msg(1, elem);
  t.msg(4, s);
  return t;
}
inline Msg type_optional(const Msg& elem) {
  Msg o, t;
  o.msg(1, elem);
  t.msg(9, o);
  return t;
}
inline Msg value_info(const std::string& name, const Msg& type) {
  Msg v;
  v.bytes(1, name).msg(2, type);
  return v;
}
inline Msg value_info(const std::string& name) {
  Msg v;
  v.bytes(1, name);
  return v;
}

// AttributeProto builders (type codes from AttributeProto.AttributeType).
inline Msg attr_head(const std::string& name, int type) {
  Msg a;
  a.bytes(1, name).varint(20, uint64_t(type));
  return a;
}
inline Msg attr_f(const std::string& n, float v) { return attr_head(n, 1).f32(2, v); }
inline Msg attr_i(const std::string& n, int64_t v) { return attr_head(n, 2).i64(3, v); }
inline Msg attr_s(const std::string& n, const std::string& v) { return attr_head(n, 3).bytes(4, v); }
inline Msg attr_t(const std::string& n, const Msg& t) { return attr_head(n, 4).msg(5, t); }
inline Msg attr_g(const std::string& n, const Msg& g) { return attr_head(n, 5).msg(6, g); }
inline Msg attr_floats(const std::string& n, const std::vector<float>& v) {
  return attr_head(n, 6).packed_f32(7, v);
}
inline Msg attr_ints(const std::string& n, const std::vector<int64_t>& v) {
  return attr_head(n, 7).packed_i64(8, v);
}
inline Msg attr_strings(const std::string& n, const std::vector<std::string>& v) {
  Msg a = attr_head(n, 8);
  for (const auto& s : v) a.bytes(9, s);
  return a;
}
inline Msg attr_tensors(const std::string& n, const std::vector<Msg>& v) {
  Msg a = attr_head(n, 9);
  for (const auto& t : v) a.msg(10, t);
  return a;
}
inline Msg attr_graphs(const std::string& n, const std::vector<Msg>& v) {
  Msg a = attr_head(n, 10);
  for (const auto& g : v) a.msg(11, g);
  return a;
}
inline Msg attr_tp(const std::string& n, const Msg& type) { return attr_head(n, 13).msg(14, type); }

inline Msg node(const std::string& op, const std::vector<std::string>& in,
                const std::vector<std::string>& out, const std::string& name = "",
                const std::vector<Msg>& attrs = {}, const std::string& domain = "") {
  Msg n;
  for (const auto& s : in) n.bytes(1, s);
  for (const auto& s : out) n.bytes(2, s);
  if (!name.empty()) n.bytes(3, name);
  n.bytes(4, op);
  for (const auto& a : attrs) n.msg(5, a);
  if (!domain.empty()) n.bytes(7, domain);
  return n;
}

struct GraphB {
  std::string name = "g";
  std::vector<Msg> nodes, inputs, outputs, initializers, value_infos;
  Msg build() const {
    Msg g;
    for (const auto& n : nodes) g.msg(1, n);
    g.bytes(2, name);
    for (const auto& t : initializers) g.msg(5, t);
    for (const auto& v : inputs) g.msg(11, v);
    for (const auto& v : outputs) g.msg(12, v);
    for (const auto& v : value_infos) g.msg(13, v);
    return g;
  }
};

inline Msg opset(const std::string& domain, int64_t version) {
  Msg o;
  if (!domain.empty()) o.bytes(1, domain);
  o.i64(2, version);
  return o;
}

inline Msg model(const Msg& graph, const std::vector<Msg>& opsets = {opset("", 17)},
                 int64_t ir_version = 8) {
  Msg m;
  m.i64(1, ir_version).bytes(2, "ember-test").bytes(3, "0.1");
  for (const auto& o : opsets) m.msg(8, o);
  m.msg(7, graph);
  return m;
}

}  // namespace ember::test::pb
