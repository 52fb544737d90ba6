#include "tools/npy.h"

#include <unistd.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace ember::cli {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .npy code assumes a little-endian host");

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

struct NpyType {
  char kind;   // numpy kind letter: f, i, u, b
  int size;
  DType dtype;
};
constexpr NpyType kTypes[] = {
    {'f', 4, DType::Float32}, {'f', 8, DType::Float64}, {'f', 2, DType::Float16},
    {'i', 1, DType::Int8},    {'i', 2, DType::Int16},   {'i', 4, DType::Int32},
    {'i', 8, DType::Int64},   {'u', 1, DType::UInt8},   {'u', 2, DType::UInt16},
    {'u', 4, DType::UInt32},  {'u', 8, DType::UInt64},  {'b', 1, DType::Bool},
};

// Parses the Python dict literal of a .npy header, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& what) : s_(text), what_(what) {}

  void parse(std::string& descr, bool& fortran, Dims& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    while (!accept('}')) {
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        descr = string_literal(), have_descr = true;
      } else if (key == "fortran_order") {
        fortran = boolean(), have_fortran = true;
      } else if (key == "shape") {
        shape = tuple(), have_shape = true;
      } else {
        bad("unexpected key '" + key + "'");
      }
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    if (!have_descr || !have_fortran || !have_shape)
      bad("the header lacks one of 'descr', 'fortran_order', 'shape'");
  }

 private:
  [[noreturn]] void bad(const std::string& why) const {
    fail(Status::InvalidArgument, what_, ": malformed .npy header (", why, "): ", s_);
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool accept(char c) {
    skip_space();
    if (pos_ < s_.size() && s_[pos_] == c) return ++pos_, true;
    return false;
  }
  void expect(char c) {
    if (!accept(c)) bad(std::string("expected '") + c + "'");
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '\'' && s_[pos_] != '"')) bad("expected a string");
    const char quote = s_[pos_++];
    const size_t end = s_.find(quote, pos_);
    if (end == std::string::npos) bad("unterminated string");
    std::string v = s_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return v;
  }
  bool boolean() {
    skip_space();
    for (const char* word : {"True", "False"}) {
      if (s_.compare(pos_, std::strlen(word), word) == 0) {
        pos_ += std::strlen(word);
        return word[0] == 'T';
      }
    }
    bad("expected True or False");
  }
  Dims tuple() {
    Dims dims;
    expect('(');
    while (!accept(')')) {
      skip_space();
      size_t digits = 0;
      int64_t v = 0;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) {
        if (v > (INT64_MAX - 9) / 10) bad("dimension too large");
        v = v * 10 + (s_[pos_++] - '0');
        ++digits;
      }
      if (digits == 0) bad("expected a dimension");
      // Python writes 2L on some old versions.
      if (pos_ < s_.size() && s_[pos_] == 'L') ++pos_;
      dims.push_back(v);
      if (!accept(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }

  const std::string& s_;
  const std::string& what_;
  size_t pos_ = 0;
};

DType dtype_from_descr(const std::string& descr, const std::string& what) {
  EMBER_CHECK(descr.size() >= 3, InvalidArgument, what, ": malformed .npy dtype '", descr, "'");
  const char order = descr[0], kind = descr[1];
  const std::string size_text = descr.substr(2);
  const int size = std::atoi(size_text.c_str());
  for (const auto& t : kTypes) {
    if (t.kind != kind || t.size != size || std::to_string(size) != size_text) continue;
    // Byte order only matters for multi-byte types; '=' is native, i.e. little here.
    EMBER_CHECK(order == '<' || order == '|' || order == '=' || size == 1, Unsupported, what,
                ": big-endian .npy data ('", descr, "') is not supported; save it little-endian");
    return t.dtype;
  }
  fail(Status::Unsupported, what, ": .npy dtype '", descr,
       "' is not supported (supported: float16/32/64, int8/16/32/64, uint8/16/32/64, bool)");
}

const NpyType& npy_type_of(DType dt) {
  for (const auto& t : kTypes)
    if (t.dtype == dt) return t;
  fail(Status::Unsupported, "a ", dtype_name(dt), " tensor cannot be stored as .npy");
}

uint32_t read_le(const std::string& b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= uint32_t(static_cast<unsigned char>(b[at + i])) << (8 * i);
  return v;
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& what) {
  EMBER_CHECK(bytes.size() >= kMagicLen + 4 && bytes.compare(0, kMagicLen, kMagic) == 0,
              InvalidArgument, what, ": not a .npy file (bad magic bytes)");
  const int major = static_cast<unsigned char>(bytes[6]);
  EMBER_CHECK(major >= 1 && major <= 3, Unsupported, what, ": .npy format version ", major,
              " is not supported (1, 2 and 3 are)");
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t header_start = 8 + len_bytes;
  EMBER_CHECK(bytes.size() >= header_start, InvalidArgument, what, ": truncated .npy header");
  const size_t header_len = read_le(bytes, 8, len_bytes);
  EMBER_CHECK(bytes.size() >= header_start + header_len, InvalidArgument, what,
              ": truncated .npy header");

  std::string descr;
  bool fortran = false;
  Dims shape;
  HeaderParser(bytes.substr(header_start, header_len), what).parse(descr, fortran, shape);
  const DType dt = dtype_from_descr(descr, what);
  // A 0-d or 1-d array is the same in either order; anything else would need a transpose.
  EMBER_CHECK(!fortran || shape.size() <= 1, Unsupported, what,
              ": Fortran-ordered .npy arrays are not supported; save with np.ascontiguousarray");

  // Check the size before allocating, so a corrupt shape cannot trigger a huge allocation.
  const size_t data_start = header_start + header_len;
  const size_t available = bytes.size() - data_start;
  size_t expected = dtype_size(dt);
  for (int64_t d : shape)
    EMBER_CHECK(!__builtin_mul_overflow(expected, size_t(d), &expected), InvalidArgument, what,
                ": shape ", dims_str(shape), " is too large");
  EMBER_CHECK(available == expected, InvalidArgument, what, ": expected ", expected,
              " data bytes for ", descr, " ", dims_str(shape), ", found ", available);
  Tensor t(dt, shape);
  if (t.nbytes() > 0) std::memcpy(t.raw(), bytes.data() + data_start, t.nbytes());
  return t;
}

Tensor read_npy(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EMBER_CHECK(f, Io, "cannot open '", path, "': ", std::strerror(errno));
  std::ostringstream buf;
  buf << f.rdbuf();
  EMBER_CHECK(!f.bad(), Io, "cannot read '", path, "'");
  return parse_npy(buf.str(), path);
}

std::string encode_npy(const Tensor& t) {
  const NpyType& nt = npy_type_of(t.dtype());
  std::ostringstream h;
  h << "{'descr': '" << (nt.size == 1 ? '|' : '<') << nt.kind << nt.size
    << "', 'fortran_order': False, 'shape': (";
  // Python tuple syntax: (), (3,), (2, 3).
  for (size_t i = 0; i < t.rank(); ++i) h << (i ? ", " : "") << t.dim(i);
  if (t.rank() == 1) h << ",";
  h << "), }";
  std::string header = h.str();
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
  const bool v2 = header.size() + 64 + 10 > 65535;  // v1 stores the length in 16 bits
  const size_t prefix = v2 ? 12 : 10;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');

  std::string out(kMagic, kMagicLen);
  out.push_back(char(v2 ? 2 : 1));
  out.push_back('\0');
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(char((header.size() >> (8 * i)) & 0xff));
  out += header;
  out.append(static_cast<const char*>(t.raw()), t.nbytes());
  return out;
}

void write_npy(const std::string& path, const Tensor& t) {
  const std::string bytes = encode_npy(t);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    EMBER_CHECK(f, Io, "cannot create '", tmp, "': ", std::strerror(errno));
    f.write(bytes.data(), std::streamsize(bytes.size()));
    f.close();
    if (!f) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      fail(Status::Io, "cannot write '", tmp, "'");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail(Status::Io, "cannot rename '", tmp, "' to '", path, "': ", ec.message());
  }
}

}  // namespace ember::cli
