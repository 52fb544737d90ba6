// .npy reading and writing (tools/npy.h) against bytes laid out exactly as numpy writes them.
#include <doctest/doctest.h>

#ifdef EMBER_HAVE_CLI

#include <cstring>

#include "test_util.h"
#include "tools/npy.h"

namespace {

using ember::DType;
using ember::Status;

// What np.save writes for a C-ordered '<f4' array of this shape (format 1.0, header padded
// with spaces to a 64-byte boundary and ended by a newline), followed by `data`.
std::string numpy_file(const std::string& dict, const std::string& data) {
  std::string header = dict;
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(char(header.size() & 0xff));
  out.push_back(char(header.size() >> 8));
  return out + header + data;
}

std::string floats(const std::vector<float>& v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), v.data(), s.size());
  return s;
}

Status status_of(const std::string& bytes) {
  try {
    ember::cli::parse_npy(bytes, "test.npy");
  } catch (const ember::Error& e) {
    CHECK(std::string(e.what()).find("test.npy") != std::string::npos);
    return e.status();
  }
  return Status::Ok;
}

}  // namespace

TEST_CASE("capi: npy reads numpy's layout") {
  const std::string bytes = numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }",
                                       floats({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  CHECK(bytes.size() == 128 + 48);  // as np.save(np.arange(12, dtype=np.float32).reshape(3, 4))
  const ember::Tensor t = ember::cli::parse_npy(bytes, "a.npy");
  CHECK(t.dtype() == DType::Float32);
  CHECK(t.shape() == ember::Dims{3, 4});
  for (int i = 0; i < 12; ++i) CHECK(t.data<float>()[i] == float(i));

  // Scalars "()", 1-d "(3,)", '|' byte order, a 1-d Fortran array (same as C order).
  CHECK(ember::cli::parse_npy(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (), }",
                                         floats({2.5f})), "s").shape().empty());
  const ember::Tensor u = ember::cli::parse_npy(
      numpy_file("{'descr': '|u1', 'fortran_order': True, 'shape': (3,), }", "\x01\x02\x03"), "u");
  CHECK(u.dtype() == DType::UInt8);
  CHECK(u.data<uint8_t>()[2] == 3);
}

TEST_CASE("capi: npy round trip for every supported dtype, odd sizes") {
  for (DType dt : {DType::Float32, DType::Float64, DType::Float16, DType::Int8, DType::UInt8,
                   DType::Int16, DType::UInt16, DType::Int32, DType::UInt32, DType::Int64,
                   DType::UInt64, DType::Bool}) {
    for (const ember::Dims& shape : {ember::Dims{}, ember::Dims{1}, ember::Dims{7, 17}, ember::Dims{2, 0, 3}}) {
      CAPTURE(ember::dtype_name(dt));
      CAPTURE(ember::dims_str(shape));
      const ember::Tensor t = ember::test::random_tensor(dt, shape, 0, 100);
      const std::string bytes = ember::cli::encode_npy(t);
      const size_t header_len = size_t(uint8_t(bytes[8])) | size_t(uint8_t(bytes[9])) << 8;
      CHECK((10 + header_len) % 64 == 0);
      const ember::Tensor back = ember::cli::parse_npy(bytes, "rt");
      ember::test::check_close(back, t, ember::test::Tier::Exact);
    }
  }
  CHECK_THROWS_AS(ember::cli::encode_npy(ember::Tensor(DType::BFloat16, {2})), ember::Error);
}

TEST_CASE("capi: npy rejects what it cannot read, naming the file") {
  const std::string d12 = floats({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
  CHECK(status_of("not a numpy file at all") == Status::InvalidArgument);
  CHECK(status_of(numpy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 4), }", d12)) ==
        Status::Unsupported);
  CHECK(status_of(numpy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (3, 4), }", d12)) ==
        Status::Unsupported);
  CHECK(status_of(numpy_file("{'descr': '<c8', 'fortran_order': False, 'shape': (6,), }", d12)) ==
        Status::Unsupported);
  CHECK(status_of(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 5), }", d12)) ==
        Status::InvalidArgument);  // too little data
  CHECK(status_of(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", d12)) ==
        Status::InvalidArgument);  // trailing bytes
  CHECK(status_of(numpy_file("{'descr': '<f4', 'shape': (3, 4), }", d12)) == Status::InvalidArgument);
  CHECK(status_of(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4) ", d12)) ==
        Status::InvalidArgument);
  CHECK(status_of(numpy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
                             d12)) == Status::InvalidArgument);
  try {
    ember::cli::read_npy("/nonexistent/x.npy");
    FAIL("expected an error");
  } catch (const ember::Error& e) {
    CHECK(e.status() == Status::Io);
  }
}

#endif  // EMBER_HAVE_CLI
