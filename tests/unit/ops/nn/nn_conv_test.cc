// Conv through the runtime against a direct-loop reference: 1-D/2-D/3-D, groups and
// depthwise, strides, dilations, explicit pads and every auto_pad mode, with and without bias.
#include <doctest/doctest.h>

#include "nn_test_util.h"

namespace ember::test {
namespace {

struct ConvCase {
  Dims x, w;  // X [N, C, ...], W [M, C/group, k...]
  int64_t group = 1;
  Dims strides, dilations, pads;
  std::string auto_pad;
  bool bias = true;
  DType dt = DType::Float32;
};

Tensor ref_conv(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor* b) {
  const size_t nd = c.x.size() - 2;
  const Dims in(c.x.begin() + 2, c.x.end()), k(c.w.begin() + 2, c.w.end());
  const Dims s = c.strides.empty() ? Dims(nd, 1) : c.strides, d = c.dilations.empty() ? Dims(nd, 1) : c.dilations;
  const nn::RefWindow win = nn::ref_window(in, k, s, d, c.pads, c.auto_pad);
  const int64_t N = c.x[0], C = c.x[1], M = c.w[0], Cg = C / c.group, Mg = M / c.group;
  const std::vector<double> vx = to_doubles(x), vw = to_doubles(w);
  const std::vector<double> vb = b ? to_doubles(*b) : std::vector<double>(size_t(M), 0.0);
  Dims out_shape = {N, M};
  out_shape.insert(out_shape.end(), win.out.begin(), win.out.end());
  std::vector<double> out;
  Dims idx(out_shape.size(), 0);
  do {
    const int64_t n = idx[0], m = idx[1], g = m / Mg;
    double acc = vb[size_t(m)];
    for (int64_t ci = 0; ci < Cg; ++ci) {
      Dims kk(nd, 0);
      do {
        Dims xi = {n, g * Cg + ci};
        bool inside = true;
        for (size_t i = 0; i < nd; ++i) {
          const int64_t p = idx[2 + i] * s[i] + kk[i] * d[i] - win.pad_begin[i];
          inside = inside && p >= 0 && p < in[i];
          xi.push_back(p);
        }
        if (!inside) continue;
        Dims wi = {m, ci};
        wi.insert(wi.end(), kk.begin(), kk.end());
        acc += vx[size_t(nn::offset_of(c.x, xi))] * vw[size_t(nn::offset_of(c.w, wi))];
      } while (nn::next_index(k, kk));
    }
    out.push_back(acc);
  } while (nn::next_index(out_shape, idx));
  return make_tensor(c.dt, out_shape, out);
}

void check_conv(const ConvCase& c) {
  CAPTURE(dims_str(c.x));
  CAPTURE(dims_str(c.w));
  CAPTURE(c.group);
  CAPTURE(dims_str(c.strides));
  CAPTURE(dims_str(c.dilations));
  CAPTURE(dims_str(c.pads));
  CAPTURE(c.auto_pad);
  const Tensor x = random_tensor(c.dt, c.x), w = random_tensor(c.dt, c.w);
  const Tensor b = random_tensor(c.dt, {c.w[0]});
  std::vector<ir::Attribute> attrs = {attr_int("group", c.group)};
  if (!c.strides.empty()) attrs.push_back(attr_ints("strides", c.strides));
  if (!c.dilations.empty()) attrs.push_back(attr_ints("dilations", c.dilations));
  if (!c.pads.empty()) attrs.push_back(attr_ints("pads", c.pads));
  if (!c.auto_pad.empty()) attrs.push_back(attr_string("auto_pad", c.auto_pad));
  std::vector<Tensor> ins = {x, w};
  if (c.bias) ins.push_back(b);
  const Tensor got = run_op(nn::op("Conv", ins, attrs))[0];
  int64_t red = c.w[1];
  for (size_t i = 2; i < c.w.size(); ++i) red *= c.w[i];
  nn::check_result(got, ref_conv(c, x, w, c.bias ? &b : nullptr), red);
}

TEST_CASE("nn Conv 2-D: pads, strides, dilations, bias") {
  check_conv({{1, 3, 7, 7}, {4, 3, 3, 3}});
  check_conv({{2, 3, 17, 13}, {5, 3, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}});
  check_conv({{1, 2, 17, 17}, {3, 2, 3, 5}, 1, {1, 2}, {2, 1}, {0, 2, 1, 0}});
  check_conv({{1, 7, 9, 9}, {7, 7, 1, 1}, 1, {}, {}, {}, "", false});           // pointwise fast path
  check_conv({{1, 4, 9, 9}, {6, 4, 1, 1}, 1, {2, 2}});                          // strided 1x1 uses im2col
  check_conv({{1, 3, 1, 1}, {2, 3, 1, 1}});
  check_conv({{1, 16, 31, 31}, {63, 16, 3, 3}, 1, {}, {}, {1, 1, 1, 1}});       // several tiles
  check_conv({{1, 3, 7, 7}, {4, 3, 7, 7}});                                     // kernel covers input
  check_conv({{1, 32, 7, 7}, {65, 32, 3, 3}, 1, {}, {}, {1, 1, 1, 1}});         // one tile: GEMM split by channels
}

TEST_CASE("nn Conv: groups and depthwise") {
  check_conv({{1, 4, 9, 9}, {6, 2, 3, 3}, 2, {}, {}, {1, 1, 1, 1}});
  check_conv({{2, 6, 11, 7}, {6, 2, 3, 3}, 3, {2, 1}});
  check_conv({{1, 8, 17, 17}, {8, 1, 3, 3}, 8, {1, 1}, {}, {1, 1, 1, 1}});      // depthwise
  check_conv({{1, 8, 17, 17}, {16, 1, 3, 3}, 8, {2, 2}, {}, {1, 1, 1, 1}});     // depth multiplier 2
}

TEST_CASE("nn Conv: auto_pad SAME_UPPER / SAME_LOWER / VALID") {
  for (const char* ap : {"SAME_UPPER", "SAME_LOWER", "VALID"}) {
    check_conv({{1, 2, 7, 8}, {3, 2, 3, 4}, 1, {}, {}, {}, ap});
    check_conv({{1, 2, 17, 16}, {3, 2, 3, 2}, 1, {2, 3}, {}, {}, ap});
    check_conv({{1, 2, 9, 9}, {3, 2, 3, 3}, 1, {2, 2}, {2, 1}, {}, ap});
  }
  // Known values: x = [1 2 3 4], w = [1 1]; the odd padding goes to the end (UPPER) or start (LOWER).
  const Tensor x = make_tensor(DType::Float32, {1, 1, 4}, {1, 2, 3, 4});
  const Tensor w = make_tensor(DType::Float32, {1, 1, 2}, {1, 1});
  check_close(run_op(nn::op("Conv", {x, w}, {attr_string("auto_pad", "SAME_UPPER")}))[0],
              make_tensor(DType::Float32, {1, 1, 4}, {3, 5, 7, 4}), Tier::Exact);
  check_close(run_op(nn::op("Conv", {x, w}, {attr_string("auto_pad", "SAME_LOWER")}))[0],
              make_tensor(DType::Float32, {1, 1, 4}, {1, 3, 5, 7}), Tier::Exact);
}

TEST_CASE("nn Conv 1-D and 3-D, double and float16") {
  check_conv({{2, 3, 17}, {4, 3, 3}, 1, {2}, {}, {1, 1}});
  check_conv({{1, 4, 63}, {4, 2, 5}, 2, {1}, {3}, {2, 2}});
  check_conv({{1, 2, 7, 6, 5}, {3, 2, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1, 1, 1}});
  check_conv({{1, 4, 7, 7, 7}, {4, 2, 2, 3, 1}, 2, {2, 1, 3}, {1, 2, 1}, {0, 1, 0, 1, 0, 1}});
  check_conv({{1, 2, 9, 8, 7}, {2, 2, 3, 3, 3}, 1, {2, 2, 2}, {}, {}, "SAME_UPPER"});
  ConvCase d{{1, 3, 9, 9}, {5, 3, 3, 3}, 1, {2, 2}, {}, {1, 1, 1, 1}};
  d.dt = DType::Float64;
  check_conv(d);
  ConvCase h{{1, 3, 9, 9}, {5, 3, 3, 3}, 1, {}, {}, {1, 1, 1, 1}};
  h.dt = DType::Float16;
  check_conv(h);
}

TEST_CASE("nn Conv: shape errors name the node and both shapes") {
  const Tensor x = random_tensor(DType::Float32, {1, 3, 5, 5});
  auto [st, msg] = nn::error_of([&] { run_op(nn::op("Conv", {x, random_tensor(DType::Float32, {2, 4, 3, 3})})); });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("Conv") != std::string::npos);
  CHECK(msg.find("expects C=4") != std::string::npos);
  CHECK(msg.find("C=3") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("Conv", {x, random_tensor(DType::Float32, {2, 3, 3, 3}), random_tensor(DType::Float32, {3})}));
  });
  CHECK(st == Status::ShapeMismatch);
  CHECK(msg.find("bias") != std::string::npos);
  std::tie(st, msg) = nn::error_of([&] { run_op(nn::op("Conv", {x, random_tensor(DType::Float32, {2, 3, 7, 7})})); });
  CHECK(st == Status::ShapeMismatch);  // kernel larger than the (unpadded) input
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("Conv", {x, random_tensor(DType::Float32, {2, 3, 3, 3})}, {attr_string("auto_pad", "BOGUS")}));
  });
  CHECK(st == Status::Unsupported);
  std::tie(st, msg) = nn::error_of([&] {
    run_op(nn::op("Conv", {random_tensor(DType::Int32, {1, 3, 5, 5}, 0, 3), random_tensor(DType::Int32, {2, 3, 3, 3}, 0, 3)}));
  });
  CHECK(st == Status::Unsupported);
}

}  // namespace
}  // namespace ember::test
