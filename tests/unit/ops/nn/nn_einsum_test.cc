// Einsum against a naive reference that loops over every combination of subscript values
// (letters only, explicit output; size-1 dims broadcast). Ellipsis and implicit-output forms
// are checked against the equivalent explicit-letter equation.
#include <doctest/doctest.h>

#include <map>

#include "nn_test_util.h"

namespace ember::test {
namespace {

Tensor ref_einsum(const std::string& eq, const std::vector<Tensor>& ins) {
  const size_t arrow = eq.find("->");
  const std::string out = eq.substr(arrow + 2);
  std::vector<std::string> terms;
  std::string cur;
  for (char c : eq.substr(0, arrow)) {
    if (c == ',') { terms.push_back(cur); cur.clear(); }
    else cur += c;
  }
  terms.push_back(cur);
  std::map<char, int64_t> size;
  for (size_t k = 0; k < terms.size(); ++k)
    for (size_t i = 0; i < terms[k].size(); ++i) size[terms[k][i]] = std::max(size[terms[k][i]], ins[k].dim(i));
  std::string letters;
  for (auto& [c, s] : size) letters += c;
  Dims all, out_shape;
  for (char c : letters) all.push_back(size[c]);
  for (char c : out) out_shape.push_back(size[c]);
  std::vector<std::vector<double>> v;
  for (const Tensor& t : ins) v.push_back(to_doubles(t));
  std::vector<double> y(size_t(dims_numel(out_shape)), 0.0);
  Dims idx(all.size(), 0);
  auto val = [&](char c) { return idx[letters.find(c)]; };
  if (dims_numel(all) > 0) do {
    double p = 1;
    for (size_t k = 0; k < terms.size(); ++k) {
      Dims ii;
      for (size_t i = 0; i < terms[k].size(); ++i) ii.push_back(ins[k].dim(i) == 1 ? 0 : val(terms[k][i]));
      p *= v[k][size_t(nn::offset_of(ins[k].shape(), ii))];
    }
    Dims oi;
    for (char c : out) oi.push_back(val(c));
    y[size_t(nn::offset_of(out_shape, oi))] += p;
  } while (nn::next_index(all, idx));
  return make_tensor(ins[0].dtype(), out_shape, y);
}

// Runs `eq` through Einsum and compares with the reference evaluated on `ref_eq`.
void check_einsum(const std::string& eq, const std::vector<Dims>& shapes, const std::string& ref_eq = "",
                  DType dt = DType::Float32) {
  CAPTURE(eq);
  std::vector<Tensor> ins;
  for (const Dims& s : shapes) ins.push_back(random_tensor(dt, s, dtype_is_integer(dt) ? -4 : -1, dtype_is_integer(dt) ? 4 : 1));
  const Tensor got = run_op(nn::op("Einsum", ins, {attr_string("equation", eq)}, 12))[0];
  const Tensor want = ref_einsum(ref_eq.empty() ? eq : ref_eq, ins);
  if (dtype_is_integer(dt)) check_close(got, want, Tier::Exact);
  else nn::check_result(got, want, 64);
}

TEST_CASE("nn Einsum: transformer contractions via the GEMM path") {
  check_einsum("bij,bjk->bik", {{3, 7, 17}, {3, 17, 5}});
  check_einsum("bhqd,bhkd->bhqk", {{2, 3, 7, 17}, {2, 3, 5, 17}});
  check_einsum("bhqk,bhkd->bhqd", {{2, 3, 7, 5}, {2, 3, 5, 17}});
  check_einsum("ij,jk->ik", {{7, 17}, {17, 1}});
  check_einsum("ij,kj->ik", {{7, 17}, {5, 17}});
  check_einsum("bid,dhk->bihk", {{2, 7, 17}, {17, 3, 4}});
  check_einsum("i,j->ij", {{7}, {5}});            // outer product (K empty)
  check_einsum("i,i->", {{17}, {17}});             // dot product
  check_einsum("ij,ij->i", {{7, 17}, {7, 17}});    // batched dot
  check_einsum("ij,jk->", {{7, 17}, {17, 5}});     // full contraction
  check_einsum("ijk,j->ik", {{3, 7, 5}, {7}});
  check_einsum("ij,k->i", {{3, 7}, {5}});          // k summed within one operand
  check_einsum("ii,i->i", {{5, 5}, {5}});          // diagonal inside the GEMM path
  check_einsum("ij,jk->ki", {{7, 17}, {17, 5}});   // output order differs from packing
  check_einsum("bij,bjk->bik", {{3, 7, 17}, {3, 17, 5}}, "", DType::Float64);
  check_einsum("bij,bjk->bik", {{3, 7, 17}, {3, 17, 5}}, "", DType::Int32);
  check_einsum("ij,jk->ik", {{7, 17}, {17, 5}}, "", DType::Int64);
  check_einsum("ij,jk->ik", {{7, 17}, {17, 5}}, "", DType::Float16);
}

TEST_CASE("nn Einsum: single operand, three operands, ellipsis and implicit output") {
  check_einsum("ij->ji", {{7, 5}});
  check_einsum("ii->i", {{5, 5}});
  check_einsum("ii->", {{5, 5}});
  check_einsum("ij->", {{7, 5}});
  check_einsum("ijk->kj", {{3, 4, 5}});
  check_einsum("ij,jk,kl->il", {{3, 4}, {4, 5}, {5, 2}});
  check_einsum("...ij,...jk->...ik", {{2, 3, 7, 5}, {2, 3, 5, 4}}, "abij,abjk->abik");
  check_einsum("...ij,...jk->...ik", {{2, 1, 7, 5}, {3, 5, 4}}, "abij,bjk->abik");  // broadcast
  check_einsum("...ij,...jk", {{2, 7, 5}, {2, 5, 4}}, "aij,ajk->aik");            // implicit with ellipsis
  check_einsum("ij,jk", {{7, 5}, {5, 4}}, "ij,jk->ik");
  check_einsum("ba", {{7, 5}}, "ba->ab");                                          // implicit: sorted = transpose
  check_einsum("b...->b", {{3, 4, 5}}, "bxy->b");
  check_einsum(" bij , bjk -> bik ", {{2, 3, 4}, {2, 4, 5}}, "bij,bjk->bik");      // spaces
}

TEST_CASE("nn Einsum: malformed equations and size conflicts") {
  const Tensor a = random_tensor(DType::Float32, {3, 4}), b = random_tensor(DType::Float32, {5, 6});
  auto [st, msg] = nn::error_of([&] { run_op(nn::op("Einsum", {a, b}, {attr_string("equation", "ij,jk->ik")}, 12)); });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("Einsum") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Einsum", {a}, {attr_string("equation", "ij,jk->ik")}, 12)); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Einsum", {a}, {attr_string("equation", "ij->iz")}, 12)); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Einsum", {a}, {attr_string("equation", "ijk->i")}, 12)); });
  CHECK(st == Status::ShapeMismatch);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Einsum", {a}, {attr_string("equation", "i1->i")}, 12)); });
  CHECK(st == Status::InvalidModel);
}

}  // namespace
}  // namespace ember::test
