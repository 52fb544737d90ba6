// Deferred tensors (src/ir/tensor.h): unaligned views of model-file bytes and pending per-row
// scales, read by rows without a whole copy and materialised once on raw().
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <initializer_list>
#include <thread>
#include <vector>

#include "ir/tensor.h"
#include "test_util.h"

using namespace ember;

namespace {

// Counts the release calls a view makes on its source (the reader passes MappedFile's).
int g_releases = 0;
size_t count_release(const void*, size_t n) {
  ++g_releases;
  return n;
}

// Random floats written one byte past a 4-byte boundary, so they are not aligned.
struct Misaligned {
  std::vector<float> vals;
  std::vector<unsigned char> buf;
  const unsigned char* at = nullptr;
  explicit Misaligned(int64_t n) : buf(sizeof(float) * size_t(n) + 8) {
    const Tensor r = test::random_tensor(DType::Float32, {n});
    vals.assign(r.data<float>(), r.data<float>() + n);
    at = buf.data() + (4 - reinterpret_cast<uintptr_t>(buf.data()) % 4) % 4 + 1;
    std::memcpy(const_cast<unsigned char*>(at), vals.data(), sizeof(float) * vals.size());
  }
};

std::vector<double> random_scale(int64_t rows) {
  const Tensor r = test::random_tensor(DType::Float32, {rows}, 0.25, 4.0);
  return std::vector<double>(r.data<float>(), r.data<float>() + rows);
}

// What an eager Conv+BN fold writes: float(double(w) * s[row]).
std::vector<float> eager_scaled(const std::vector<float>& w, const std::vector<double>& s) {
  const size_t per = w.size() / s.size();
  std::vector<float> out(w.size());
  for (size_t i = 0; i < w.size(); ++i) out[i] = float(double(w[i]) * s[i / per]);
  return out;
}

}  // namespace

TEST_CASE("tensor: an unaligned view is read in place and materialised once, aligned, on raw()") {
  INFO("seed ", test::seed());
  const int64_t n = 5 << 18;  // 5 MB: materialised in 2 MiB pieces, each piece's source released
  Misaligned m(n);
  REQUIRE(reinterpret_cast<uintptr_t>(m.at) % alignof(float) != 0);
  g_releases = 0;
  const Tensor t = Tensor::unaligned_view(DType::Float32, {n}, m.at, {}, &count_release);
  CHECK(t.deferred());
  CHECK(!t.sole_owner());  // never rewritten in place: the bytes are the file's
  CHECK(t.bytes() == m.at);
  // A deep copy reads the bytes where they lie: nothing materialised, nothing released.
  const Tensor c = t.clone();
  CHECK(!c.deferred());
  CHECK(std::memcmp(c.raw(), m.vals.data(), c.nbytes()) == 0);
  CHECK(t.deferred());
  CHECK(g_releases == 0);

  const Tensor same = t;  // shares the view
  const float* p = t.data<float>();
  CHECK(!t.deferred());
  CHECK(!same.deferred());
  CHECK(reinterpret_cast<uintptr_t>(p) % kTensorAlignment == 0);
  CHECK(std::memcmp(p, m.vals.data(), t.nbytes()) == 0);
  CHECK(g_releases == 3);          // 2 + 2 + 1 MB
  CHECK(same.data<float>() == p);  // one copy for every Tensor sharing the view
  CHECK(t.reshaped({1, n}).raw() == p);
  CHECK(g_releases == 3);
  CHECK(t.bytes() == m.at);  // bytes() still names the source
}

TEST_CASE("tensor: a small view's source is not released one tensor at a time") {
  Misaligned m(7);
  g_releases = 0;
  const Tensor t = Tensor::unaligned_view(DType::Float32, {7}, m.at, {}, &count_release);
  CHECK(std::memcmp(t.raw(), m.vals.data(), t.nbytes()) == 0);
  CHECK(g_releases == 0);
}

TEST_CASE("tensor: a pending row scale materialises exactly what an eager fold writes") {
  INFO("seed ", test::seed());
  for (const Dims& shape : {Dims{1, 1}, Dims{7, 3, 3, 3}, Dims{37, 129}, Dims{64, 1, 1, 1}}) {
    CAPTURE(dims_str(shape));
    const int64_t n = dims_numel(shape);
    Misaligned m(n);
    const std::vector<double> s = random_scale(shape[0]);
    const std::vector<float> want = eager_scaled(m.vals, s);
    // Over a view of the file and over plain aligned storage.
    const Tensor view = Tensor::unaligned_view(DType::Float32, shape, m.at, {});
    Tensor plain(DType::Float32, shape);
    std::memcpy(plain.raw(), m.vals.data(), plain.nbytes());
    for (const Tensor* src : std::initializer_list<const Tensor*>{&view, &plain}) {
      const Tensor t = src->with_row_scale(s);
      CHECK(t.deferred());
      CHECK(src->deferred() == (src == &view));  // the source is untouched
      std::vector<float> copied(static_cast<size_t>(n));
      std::memcpy(copied.data(), t.clone().raw(), t.nbytes());  // read_rows, no materialising
      CHECK(t.deferred());
      CHECK(copied == want);
      CHECK(std::memcmp(t.raw(), want.data(), t.nbytes()) == 0);
      CHECK(!t.deferred());
    }
    // Two pending scales (Conv -> BN -> Mul) are one product of factors.
    const std::vector<double> s2 = random_scale(shape[0]);
    std::vector<double> both(s.size());
    for (size_t r = 0; r < s.size(); ++r) both[r] = s[r] * s2[r];
    const Tensor twice = view.with_row_scale(s).with_row_scale(s2);
    CHECK(std::memcmp(twice.raw(), eager_scaled(m.vals, both).data(), twice.nbytes()) == 0);
  }
}

TEST_CASE("tensor: read_rows of any block equals the materialised rows, before and after") {
  INFO("seed ", test::seed());
  const Dims shape = {13, 2, 17};
  const int64_t rows = 13, cols = 34;
  Misaligned m(rows * cols);
  const Tensor t = Tensor::unaligned_view(DType::Float32, shape, m.at, {}).with_row_scale(random_scale(rows));
  const Tensor ref = t.clone();
  const float* want = ref.data<float>();
  for (int pass = 0; pass < 2; ++pass) {  // deferred, then materialised
    CAPTURE(pass);
    for (auto [r0, nr, c0, nc] : {std::tuple{0, 13, 0, 34}, {5, 1, 33, 1}, {3, 7, 11, 19}, {12, 1, 0, 34}, {4, 0, 2, 0}}) {
      std::vector<float> got(size_t(nr * nc) + 1);
      t.read_rows(r0, nr, c0, nc, got.data());
      for (int64_t r = 0; r < nr; ++r)
        for (int64_t c = 0; c < nc; ++c) REQUIRE(got[size_t(r * nc + c)] == want[(r0 + r) * cols + c0 + c]);
    }
    t.raw();
  }
  CHECK(!t.deferred());
}

TEST_CASE("tensor: reshaping a scaled tensor to other rows materialises it; same rows stay deferred") {
  Misaligned m(6 * 4);
  const std::vector<double> s = random_scale(6);
  const Tensor t = Tensor::unaligned_view(DType::Float32, {6, 4}, m.at, {}).with_row_scale(s);
  const Tensor same_rows = t.reshaped({6, 2, 2});
  CHECK(same_rows.deferred());
  const Tensor other = t.reshaped({4, 6});
  CHECK(!other.deferred());
  CHECK(std::memcmp(other.raw(), eager_scaled(m.vals, s).data(), other.nbytes()) == 0);
  CHECK(same_rows.raw() == other.raw());  // one materialised copy
}

TEST_CASE("tensor: concurrent raw() of a deferred tensor materialises it once") {
  const int64_t n = 300000;
  Misaligned m(n);
  for (int threads = 1; threads <= 3; ++threads) {
    CAPTURE(threads);
    const Tensor t = Tensor::unaligned_view(DType::Float32, {n / 3, 3}, m.at, {}).with_row_scale(random_scale(n / 3));
    std::vector<const void*> seen(static_cast<size_t>(threads));
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) pool.emplace_back([&, i] { seen[size_t(i)] = t.raw(); });
    for (auto& th : pool) th.join();
    for (const void* p : seen) CHECK(p == seen[0]);
  }
}

TEST_CASE("tensor: an unaligned view of integers answers int_at and to_int64_vector") {
  std::vector<unsigned char> buf(3 * sizeof(int64_t) + 16);
  unsigned char* at = buf.data() + (8 - reinterpret_cast<uintptr_t>(buf.data()) % 8) % 8 + 3;
  const int64_t vals[3] = {7, -1, 1LL << 40};
  std::memcpy(at, vals, sizeof vals);
  const Tensor t = Tensor::unaligned_view(DType::Int64, {3}, at, {});
  CHECK(t.int_at(2) == (1LL << 40));
  CHECK(t.to_int64_vector() == std::vector<int64_t>{7, -1, 1LL << 40});
}

TEST_CASE("tensor: bad deferred requests are clear errors") {
  const char bytes[8] = {};
  CHECK(test::status_of([&] { Tensor::unaligned_view(DType::String, {1}, bytes, {}); }) == Status::Unsupported);
  const Tensor f(DType::Float32, {3, 2});
  CHECK(test::status_of([&] { f.with_row_scale({1.0, 2.0}); }) == Status::InvalidArgument);
  CHECK(test::status_of([&] { Tensor(DType::Int32, {2}).with_row_scale({1.0, 2.0}); }) == Status::InvalidArgument);
  float out[8];
  CHECK(test::status_of([&] { f.read_rows(2, 2, 0, 2, out); }) == Status::InvalidArgument);
  CHECK(test::status_of([&] { f.read_rows(0, 1, 1, 2, out); }) == Status::InvalidArgument);
}
