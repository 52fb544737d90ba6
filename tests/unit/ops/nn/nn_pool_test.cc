// MaxPool / AveragePool / LpPool and the global pools against a direct reference that visits
// every kernel tap with explicit bounds checks.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "nn_test_util.h"

namespace ember::test {
namespace {

struct PoolCase {
  std::string op;
  Dims x, kernel;
  Dims strides, dilations, pads;
  std::string auto_pad;
  bool ceil_mode = false;
  bool count_include_pad = false;
  int64_t storage_order = 0;
  int64_t p = 2;
  DType dt = DType::Float32;
};

// Returns Y and (for MaxPool) the flat indices of the chosen elements.
std::pair<Tensor, Tensor> ref_pool(const PoolCase& c, const Tensor& x) {
  const size_t nd = c.x.size() - 2;
  const Dims in(c.x.begin() + 2, c.x.end());
  const Dims s = c.strides.empty() ? Dims(nd, 1) : c.strides, d = c.dilations.empty() ? Dims(nd, 1) : c.dilations;
  const nn::RefWindow win = nn::ref_window(in, c.kernel, s, d, c.pads, c.auto_pad, c.ceil_mode);
  Dims out_shape = {c.x[0], c.x[1]};
  out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());
  const std::vector<double> vx = to_doubles(x);
  std::vector<double> y, idx;
  Dims o(out_shape.size(), 0);
  do {
    double best = -std::numeric_limits<double>::infinity(), sum = 0;
    int64_t best_at = -1, valid = 0, padded = 0;
    Dims k(nd, 0);
    do {
      Dims xi = {o[0], o[1]};
      bool inside = true, in_pad_extent = true;
      for (size_t i = 0; i < nd; ++i) {
        const int64_t q = o[2 + i] * s[i] + k[i] * d[i] - win.pad_begin[i];
        inside = inside && q >= 0 && q < in[i];
        in_pad_extent = in_pad_extent && q >= -win.pad_begin[i] && q < in[i] + win.pad_end[i];
        xi.push_back(q);
      }
      if (in_pad_extent) ++padded;
      if (!inside) continue;
      ++valid;
      const int64_t off = nn::offset_of(c.x, xi);
      const double v = vx[size_t(off)];
      if (v > best) {
        best = v;
        best_at = off;
        if (c.storage_order == 1) {  // column-major over the spatial dims, plus the plane offset
          int64_t col = 0, mul = 1;
          for (size_t i = 0; i < nd; ++i) {
            col += xi[2 + i] * mul;
            mul *= in[i];
          }
          best_at = (o[0] * c.x[1] + o[1]) * dims_numel(in) + col;
        }
      }
      sum += c.op == "LpPool" ? std::pow(std::fabs(v), double(c.p)) : v;
    } while (nn::next_index(c.kernel, k));
    if (c.op == "MaxPool") y.push_back(best);
    else if (c.op == "AveragePool") y.push_back(sum / double(c.count_include_pad ? padded : valid));
    else y.push_back(std::pow(sum, 1.0 / double(c.p)));
    idx.push_back(double(best_at));
  } while (nn::next_index(out_shape, o));
  return {make_tensor(c.dt, out_shape, y), make_tensor(DType::Int64, out_shape, idx)};
}

void check_pool(const PoolCase& c, bool with_indices = false) {
  CAPTURE(c.op);
  CAPTURE(dims_str(c.x));
  CAPTURE(dims_str(c.kernel));
  CAPTURE(dims_str(c.strides));
  CAPTURE(dims_str(c.dilations));
  CAPTURE(dims_str(c.pads));
  CAPTURE(c.auto_pad);
  CAPTURE(c.ceil_mode);
  CAPTURE(c.count_include_pad);
  const Tensor x = random_tensor(c.dt, c.x, -5, 5);
  std::vector<ir::Attribute> attrs = {attr_ints("kernel_shape", c.kernel)};
  if (!c.strides.empty()) attrs.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) attrs.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) attrs.push_back(attr_ints("pads", c.pads));
  if (!c.auto_pad.empty()) attrs.push_back(attr_string("auto_pad", c.auto_pad));
  if (c.ceil_mode) attrs.push_back(attr_int("ceil_mode", 1));
  if (c.count_include_pad) attrs.push_back(attr_int("count_include_pad", 1));
  if (c.storage_order) attrs.push_back(attr_int("storage_order", c.storage_order));
  if (c.op == "LpPool") attrs.push_back(attr_int("p", c.p));
  const auto got = run_op(nn::op(c.op, {x}, attrs, 19, with_indices ? 2 : 1));
  const auto [y, idx] = ref_pool(c, x);
  if (c.op == "MaxPool") check_close(got[0], y, Tier::Exact);
  else nn::check_result(got[0], y, dims_numel(c.kernel));
  if (with_indices) check_close(got[1], idx, Tier::Exact);
}

TEST_CASE("nn MaxPool: pads, strides, dilations, ceil_mode, Indices and storage_order") {
  check_pool({"MaxPool", {1, 3, 7, 7}, {3, 3}}, true);
  check_pool({"MaxPool", {2, 3, 17, 13}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}}, true);
  check_pool({"MaxPool", {1, 2, 17, 17}, {3, 2}, {2, 3}, {2, 1}, {1, 0, 2, 1}}, true);
  check_pool({"MaxPool", {1, 2, 8, 9}, {3, 3}, {2, 2}, {}, {}, "", true}, true);
  check_pool({"MaxPool", {1, 2, 8, 9}, {2, 2}, {3, 3}, {}, {1, 1, 1, 1}, "", true}, true);
  PoolCase col{"MaxPool", {2, 3, 7, 5}, {3, 2}, {2, 1}};
  col.storage_order = 1;
  check_pool(col, true);
  for (const char* ap : {"SAME_UPPER", "SAME_LOWER", "VALID"}) check_pool({"MaxPool", {1, 2, 9, 8}, {3, 2}, {2, 2}, {}, {}, ap}, true);
  check_pool({"MaxPool", {1, 3, 17}, {4}, {2}, {}, {1, 2}}, true);                 // 1-D
  check_pool({"MaxPool", {1, 2, 5, 6, 7}, {2, 3, 2}, {2, 1, 2}, {}, {0, 1, 1, 1, 0, 0}}, true);  // 3-D
  PoolCase i8{"MaxPool", {1, 2, 7, 7}, {3, 3}, {2, 2}};
  i8.dt = DType::Int8;
  check_pool(i8);
  PoolCase h{"MaxPool", {1, 2, 7, 7}, {3, 3}, {1, 1}, {}, {1, 1, 1, 1}};
  h.dt = DType::Float16;
  check_pool(h);
}

TEST_CASE("nn MaxPool: ONNX ceil_mode example") {
  std::vector<double> xv(16);
  for (int i = 0; i < 16; ++i) xv[size_t(i)] = i + 1;
  const Tensor y = run_op(nn::op("MaxPool", {make_tensor(DType::Float32, {1, 1, 4, 4}, xv)},
                                 {attr_ints("kernel_shape", {3, 3}), attr_ints("strides", {2, 2}), attr_int("ceil_mode", 1)},
                                 12))[0];
  check_close(y, make_tensor(DType::Float32, {1, 1, 2, 2}, {11, 12, 15, 16}), Tier::Exact);
}

TEST_CASE("nn AveragePool: count_include_pad, ceil_mode, dilations, auto_pad") {
  for (bool cip : {false, true}) {
    PoolCase a{"AveragePool", {2, 3, 9, 8}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}};
    a.count_include_pad = cip;
    check_pool(a);
    PoolCase b{"AveragePool", {1, 2, 8, 9}, {3, 3}, {2, 2}, {}, {1, 0, 1, 2}, "", true};
    b.count_include_pad = cip;
    check_pool(b);
    PoolCase d{"AveragePool", {1, 2, 11, 11}, {3, 2}, {1, 2}, {2, 3}, {2, 1, 2, 1}};
    d.count_include_pad = cip;
    check_pool(d);
    PoolCase s{"AveragePool", {1, 2, 7, 8}, {3, 3}, {2, 2}, {}, {}, "SAME_UPPER"};
    s.count_include_pad = cip;
    check_pool(s);
    PoolCase t{"AveragePool", {1, 2, 5, 6, 7}, {2, 3, 3}, {1, 2, 2}, {}, {1, 1, 1, 0, 1, 1}};
    t.count_include_pad = cip;
    check_pool(t);
  }
  check_pool({"AveragePool", {1, 3, 17}, {3}, {2}, {}, {}, "SAME_LOWER"});
  PoolCase d{"AveragePool", {1, 2, 9, 9}, {3, 3}, {2, 2}, {}, {1, 1, 1, 1}};
  d.dt = DType::Float64;
  check_pool(d);
}

TEST_CASE("nn LpPool and global pools") {
  for (int64_t p : {1, 2, 3}) {
    PoolCase c{"LpPool", {1, 3, 9, 8}, {3, 2}, {2, 2}, {}, {1, 0, 1, 1}};
    c.p = p;
    check_pool(c);
  }
  const Tensor x = random_tensor(DType::Float32, {2, 3, 7, 5});
  const std::vector<double> v = to_doubles(x);
  std::vector<double> avg, mx, lp;
  for (int64_t pl = 0; pl < 6; ++pl) {
    double s = 0, m = -1e30, l = 0;
    for (int64_t i = 0; i < 35; ++i) {
      const double e = v[size_t(pl * 35 + i)];
      s += e;
      m = std::max(m, e);
      l += e * e;
    }
    avg.push_back(s / 35);
    mx.push_back(m);
    lp.push_back(std::sqrt(l));
  }
  nn::check_result(run_op(nn::op("GlobalAveragePool", {x}))[0], make_tensor(DType::Float32, {2, 3, 1, 1}, avg), 35);
  check_close(run_op(nn::op("GlobalMaxPool", {x}))[0], make_tensor(DType::Float32, {2, 3, 1, 1}, mx), Tier::Exact);
  nn::check_result(run_op(nn::op("GlobalLpPool", {x}))[0], make_tensor(DType::Float32, {2, 3, 1, 1}, lp), 35);
}

TEST_CASE("nn pools: errors") {
  const Tensor x = random_tensor(DType::Float32, {1, 2, 5, 5});
  auto [st, msg] = nn::error_of([&] { run_op(nn::op("MaxPool", {x}, {attr_ints("kernel_shape", {3})})); });
  CHECK(st == Status::InvalidModel);
  CHECK(msg.find("kernel_shape") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("AveragePool", {x})); });
  CHECK(st == Status::InvalidModel);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("AveragePool", {random_tensor(DType::Int32, {1, 2, 5, 5}, 0, 4)}, {attr_ints("kernel_shape", {2, 2})}));
  });
  CHECK(st == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
