// MappedFile::release_pages: drops this process's resident pages of a model mapping (the
// weights prepacking has copied), leaves other memory alone, and never changes what a later
// read sees. Residency is read from /proc/self/smaps (the mapping's own Rss line).
#include <doctest/doctest.h>

#include <unistd.h>

#include <fstream>
#include <numeric>
#include <sstream>
#include <vector>

#include "onnx/mapped_file.h"
#include "onnx_test_helpers.h"

using namespace ember;
using ember::test::TempDir;

namespace {

// Resident kB of the mapping that starts at `start`, from /proc/self/smaps; -1 when not found.
long resident_kb(const void* start) {
  std::ifstream smaps("/proc/self/smaps");
  std::ostringstream want;
  want << std::hex << reinterpret_cast<uintptr_t>(start) << "-";
  std::string line;
  bool in_vma = false;
  while (std::getline(smaps, line)) {
    // A mapping's header line starts with its "start-end" range; the field lines below it
    // start with "Name:". (The header's device field, e.g. "08:01", has a ':' too.)
    const std::string first = line.substr(0, line.find(' '));
    if (first.find('-') != std::string::npos && first.back() != ':')
      in_vma = line.rfind(want.str(), 0) == 0;
    if (in_vma && line.rfind("Rss:", 0) == 0) return std::stol(line.substr(4));
  }
  return -1;
}

uint64_t checksum(const uint8_t* p, size_t n) {
  uint64_t s = 0;
  for (size_t i = 0; i < n; ++i) s = s * 31 + p[i];
  return s;
}

}  // namespace

TEST_CASE("mapped file: release_pages drops resident pages, and a later read sees the same bytes") {
  TempDir dir;
  const size_t page = size_t(::sysconf(_SC_PAGESIZE));
  const size_t n = 256 * page + 123;  // a partial last page
  std::string bytes(n, '\0');
  for (size_t i = 0; i < n; ++i) bytes[i] = char((i * 7 + i / 4096) & 0xff);
  auto f = onnx::MappedFile::open(dir.write("w.bin", bytes));
  const uint8_t* p = f->data();
  const uint64_t sum = checksum(p, n);  // touches every page
  CHECK(sum == checksum(reinterpret_cast<const uint8_t*>(bytes.data()), n));
  const long before = resident_kb(p);
  REQUIRE(before >= long(n / 1024));

  CHECK(onnx::MappedFile::mapping_of(p + 5) == std::pair<const void*, size_t>{p, n});
  // The middle hundred pages, from an unaligned address: whole pages around it go.
  const size_t dropped = onnx::MappedFile::release_pages(p + 10 * page + 3, 100 * page);
  CHECK(dropped == 101 * page);
  const long after = resident_kb(p);
  CHECK(after <= before - long(100 * page / 1024));
  CHECK(checksum(p, n) == sum);  // faults back in, unchanged

  // The whole mapping, past its end: clamped to it (the last page is partial).
  CHECK(onnx::MappedFile::release_pages(p, SIZE_MAX) == 257 * page);
  CHECK(resident_kb(p) <= 8);
  CHECK(checksum(p, n) == sum);
}

TEST_CASE("mapped file: release_pages leaves memory that is not a model mapping alone") {
  std::vector<uint8_t> heap(1 << 20);
  std::iota(heap.begin(), heap.end(), uint8_t(0));
  const uint64_t sum = checksum(heap.data(), heap.size());
  CHECK(onnx::MappedFile::release_pages(heap.data(), heap.size()) == 0);
  CHECK(onnx::MappedFile::mapping_of(heap.data()).first == nullptr);
  CHECK(checksum(heap.data(), heap.size()) == sum);
  CHECK(onnx::MappedFile::release_pages(nullptr, 100) == 0);

  // A mapping that is gone is forgotten.
  const void* gone = nullptr;
  {
    TempDir dir;
    auto f = onnx::MappedFile::open(dir.write("w.bin", std::string(8192, 'x')));
    gone = f->data();
    CHECK(onnx::MappedFile::mapping_of(gone).first == gone);
  }
  CHECK(onnx::MappedFile::mapping_of(gone).first == nullptr);
}
