#include "tools/npz_archive.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "support/error.h"
#include "tools/npy.h"

#include <zlib.h>

namespace ember::cli {

namespace {

// Little-endian fields of the zip format (APPNOTE.TXT).
constexpr uint32_t kLocalHeader = 0x04034b50, kCentralHeader = 0x02014b50, kEndOfCentralDir = 0x06054b50,
                   kZip64EndLocator = 0x07064b50, kZip64End = 0x06064b50;
constexpr uint32_t kMarker32 = 0xFFFFFFFFu;
constexpr uint16_t kStored = 0, kDeflated = 8;  // compression methods

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& path) : b_(bytes), path_(path) {}
  uint64_t u(size_t at, int n) const {
    check(at, size_t(n));
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | uint8_t(b_[at + size_t(k)]);
    return v;
  }
  void check(size_t at, size_t n) const {
    if (at > b_.size() || n > b_.size() - at) bad("truncated archive");
  }
  [[noreturn]] void bad(const std::string& why) const {
    fail(Status::InvalidArgument, "'", path_, "' is not a valid .npz (zip) file: ", why);
  }
  const std::string& bytes() const { return b_; }

 private:
  const std::string& b_;
  std::string path_;
};

struct Entry {
  std::string name;
  uint16_t method = 0;
  uint64_t size = 0, compressed = 0, local = 0;
};

// The central directory's offset and entry count, through the zip64 records when present.
void find_directory(const Reader& r, uint64_t& offset, uint64_t& count) {
  const std::string& b = r.bytes();
  if (b.size() < 22) r.bad("too short");
  size_t eocd = std::string::npos;
  const size_t lowest = b.size() > 65557 ? b.size() - 65557 : 0;
  for (size_t p = b.size() - 22;; --p) {
    if (r.u(p, 4) == kEndOfCentralDir) {
      eocd = p;
      break;
    }
    if (p == lowest) break;
  }
  if (eocd == std::string::npos) r.bad("no end of central directory record");
  count = r.u(eocd + 10, 2);
  offset = r.u(eocd + 16, 4);
  if ((offset == kMarker32 || count == 0xFFFF) && eocd >= 20 && r.u(eocd - 20, 4) == kZip64EndLocator) {
    const uint64_t z = r.u(eocd - 20 + 8, 8);
    if (r.u(size_t(z), 4) != kZip64End) r.bad("bad zip64 end record");
    count = r.u(size_t(z) + 32, 8);
    offset = r.u(size_t(z) + 48, 8);
  }
}

std::vector<Entry> read_directory(const Reader& r) {
  uint64_t p = 0, count = 0;
  find_directory(r, p, count);
  std::vector<Entry> out;
  for (uint64_t i = 0; i < count; ++i) {
    if (r.u(size_t(p), 4) != kCentralHeader) r.bad("bad central directory entry");
    Entry e;
    e.method = uint16_t(r.u(size_t(p) + 10, 2));
    e.compressed = r.u(size_t(p) + 20, 4);
    e.size = r.u(size_t(p) + 24, 4);
    const size_t name_len = r.u(size_t(p) + 28, 2), extra_len = r.u(size_t(p) + 30, 2),
                 comment_len = r.u(size_t(p) + 32, 2);
    e.local = r.u(size_t(p) + 42, 4);
    r.check(size_t(p) + 46, name_len + extra_len);
    e.name = r.bytes().substr(size_t(p) + 46, name_len);
    // zip64 extra field (id 1): the 64-bit values of the fields that hold the 0xFFFFFFFF marker.
    for (size_t x = size_t(p) + 46 + name_len, end = x + extra_len; x + 4 <= end;) {
      const uint64_t id = r.u(x, 2), len = r.u(x + 2, 2);
      size_t f = x + 4;
      if (id == 1) {
        if (e.size == kMarker32) e.size = r.u(f, 8), f += 8;
        if (e.compressed == kMarker32) e.compressed = r.u(f, 8), f += 8;
        if (e.local == kMarker32) e.local = r.u(f, 8);
      }
      x += 4 + size_t(len);
    }
    out.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
  return out;
}

// A deflated member (np.savez_compressed) inflated to its stated size; a stream that does not
// inflate to exactly that many bytes is a malformed archive, not a short array.
std::string inflate_member(const char* in, const Entry& e, const Reader& r) {
  // The directory's size is what we allocate: refuse sizes no .npy member of this archive could
  // reach (deflate expands at most ~1032x) before trusting it.
  if (e.size / 1032 > e.compressed + 1) r.bad("member '" + e.name + "' claims an impossible size");
  std::string out(size_t(e.size), '\0');
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) r.bad("zlib initialisation failed");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in));
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  uint64_t in_left = e.compressed, out_left = e.size;
  int rc = Z_OK;
  // avail_in/avail_out are 32-bit: feed members over 4 GiB in slices.
  while (rc == Z_OK) {
    const uInt in_now = uInt(std::min<uint64_t>(in_left, 1u << 30));
    const uInt out_now = uInt(std::min<uint64_t>(out_left, 1u << 30));
    z.avail_in = in_now;
    z.avail_out = out_now;
    rc = inflate(&z, Z_NO_FLUSH);
    in_left -= in_now - z.avail_in;
    out_left -= out_now - z.avail_out;
    if (rc == Z_BUF_ERROR && (in_left == 0 || out_left == 0)) break;
    if (rc == Z_OK && in_now == z.avail_in && out_now == z.avail_out) break;  // no progress
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || out_left != 0) r.bad("member '" + e.name + "' does not inflate to its stated size");
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  EMBER_CHECK(f, Io, "cannot open '", path, "'");
  std::ostringstream ss;
  ss << f.rdbuf();
  EMBER_CHECK(!f.bad(), Io, "cannot read '", path, "'");
  return ss.str();
}

}  // namespace

std::map<std::string, Tensor> read_npz(const std::string& path) {
  const std::string bytes = read_file(path);
  const Reader r(bytes, path);
  std::map<std::string, Tensor> arrays;
  for (const Entry& e : read_directory(r)) {
    if (e.name.size() < 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0) continue;
    EMBER_CHECK(e.method == kStored || e.method == kDeflated, Unsupported, "'", path, "': member '",
                e.name, "' uses zip compression method ", e.method, " (np.savez and np.savez_compressed work)");
    if (r.u(size_t(e.local), 4) != kLocalHeader) r.bad("bad local header of '" + e.name + "'");
    const size_t data = size_t(e.local) + 30 + r.u(size_t(e.local) + 26, 2) + r.u(size_t(e.local) + 28, 2);
    const std::string member = path + ":" + e.name;
    const std::string name = e.name.substr(0, e.name.size() - 4);
    if (e.method == kStored) {
      r.check(data, size_t(e.size));
      arrays.emplace(name, parse_npy(bytes.substr(data, size_t(e.size)), member));
    } else {
      r.check(data, size_t(e.compressed));
      arrays.emplace(name, parse_npy(inflate_member(bytes.data() + data, e, r), member));
    }
  }
  return arrays;
}

opt::quantize::FeedSet npz_directory_feeds(const std::string& dir, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  EMBER_CHECK(fs::is_directory(dir, ec), InvalidArgument, what, " directory '", dir, "' does not exist");
  auto files = std::make_shared<std::vector<std::string>>();
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".npz") files->push_back(e.path().string());
  std::sort(files->begin(), files->end());
  EMBER_CHECK(!files->empty(), InvalidArgument, what, " directory '", dir,
              "' has no .npz files (one np.savez feed dict per file)");
  opt::quantize::FeedSet set;
  set.count = files->size();
  set.get = [files](size_t i) {
    runtime::Feeds feeds;
    for (auto& [name, t] : read_npz((*files)[i])) feeds.emplace_back(name, std::move(t));
    return feeds;
  };
  set.describe = [files](size_t i) { return (*files)[i]; };
  return set;
}

}  // namespace ember::cli
