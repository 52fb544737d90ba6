#include "ops/nn/einsum_parse.h"

#include <algorithm>
#include <cctype>

#include "support/error.h"

namespace ember::ops::nn {
namespace {

constexpr int kLetters = 52;

int letter_code(char c) { return std::islower(static_cast<unsigned char>(c)) ? c - 'a' : 26 + (c - 'A'); }

std::vector<int> parse_term(const std::string& t, const std::string& node, const std::string& eq) {
  std::vector<int> out;
  bool seen_ellipsis = false;
  for (size_t i = 0; i < t.size();) {
    if (t.compare(i, 3, "...") == 0) {
      EMBER_CHECK(!seen_ellipsis, InvalidModel, node, ": equation '", eq, "' has two ellipses in one term");
      seen_ellipsis = true;
      out.push_back(kEllipsis);
      i += 3;
    } else {
      EMBER_CHECK(std::isalpha(static_cast<unsigned char>(t[i])), InvalidModel, node, ": equation '", eq,
                  "' has an invalid character '", t[i], "'");
      out.push_back(letter_code(t[i]));
      ++i;
    }
  }
  return out;
}

}  // namespace

EinsumEquation parse_einsum(const std::string& equation, size_t n_inputs, const std::string& node) {
  std::string eq;
  for (char c : equation)
    if (!std::isspace(static_cast<unsigned char>(c))) eq += c;
  EinsumEquation r;
  const size_t arrow = eq.find("->");
  const std::string lhs = eq.substr(0, arrow);
  r.implicit = arrow == std::string::npos;
  size_t start = 0;
  for (;;) {
    const size_t comma = lhs.find(',', start);
    r.inputs.push_back(parse_term(lhs.substr(start, comma - start), node, equation));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  EMBER_CHECK(r.inputs.size() == n_inputs, InvalidModel, node, ": equation '", equation, "' has ",
              r.inputs.size(), " operands, but the node has ", n_inputs, " inputs");
  if (!r.implicit) {
    r.output = parse_term(eq.substr(arrow + 2), node, equation);
    std::vector<int> seen;
    for (int l : r.output) {
      EMBER_CHECK(std::find(seen.begin(), seen.end(), l) == seen.end(), InvalidModel, node, ": equation '",
                  equation, "' repeats an output subscript");
      seen.push_back(l);
      if (l == kEllipsis) continue;
      bool found = false;
      for (const auto& in : r.inputs) found = found || std::find(in.begin(), in.end(), l) != in.end();
      EMBER_CHECK(found, InvalidModel, node, ": equation '", equation,
                  "' has an output subscript that appears in no input");
    }
  } else {
    // Implicit output: the ellipsis first, then the letters used exactly once, sorted.
    int count[kLetters] = {};
    bool any_ellipsis = false;
    for (const auto& in : r.inputs)
      for (int l : in) {
        if (l == kEllipsis) any_ellipsis = true;
        else ++count[l];
      }
    if (any_ellipsis) r.output.push_back(kEllipsis);
    std::vector<int> once;
    for (int l = 0; l < kLetters; ++l)
      if (count[l] == 1) once.push_back(l);
    // ASCII order: uppercase (codes 26..51) sorts before lowercase.
    std::stable_sort(once.begin(), once.end(), [](int a, int b) { return (a >= 26) > (b >= 26); });
    r.output.insert(r.output.end(), once.begin(), once.end());
  }
  return r;
}

EinsumPlan plan_einsum(const EinsumEquation& eq, const std::vector<Dims>& shapes, const std::string& node) {
  // Number of ellipsis dims per operand, and overall (they right-align and broadcast).
  size_t n_ell = 0;
  std::vector<size_t> ell(shapes.size(), 0);
  for (size_t k = 0; k < shapes.size(); ++k) {
    const auto& t = eq.inputs[k];
    const bool has = std::find(t.begin(), t.end(), kEllipsis) != t.end();
    const size_t letters = t.size() - (has ? 1 : 0);
    EMBER_CHECK(has ? shapes[k].size() >= letters : shapes[k].size() == letters, ShapeMismatch, node,
                ": operand ", k, " of shape ", dims_str(shapes[k]), " does not match its subscripts (",
                letters, " letters", has ? " and an ellipsis" : "", ")");
    if (has) ell[k] = shapes[k].size() - letters;
    n_ell = std::max(n_ell, ell[k]);
  }
  EinsumPlan p;
  p.n_labels = kLetters + int(n_ell);
  p.size.assign(size_t(p.n_labels), -1);
  p.stride.assign(shapes.size(), std::vector<int64_t>(size_t(p.n_labels), 0));
  p.uses.assign(shapes.size(), std::vector<bool>(size_t(p.n_labels), false));
  for (size_t k = 0; k < shapes.size(); ++k) {
    const Dims st = dims_strides(shapes[k]);
    size_t d = 0;
    for (int l : eq.inputs[k]) {
      std::vector<int> labels;
      if (l == kEllipsis)
        for (size_t j = 0; j < ell[k]; ++j) labels.push_back(kLetters + int(n_ell - ell[k] + j));
      else
        labels.push_back(l);
      for (int lab : labels) {
        const int64_t sz = shapes[k][d];
        int64_t& have = p.size[size_t(lab)];
        const bool repeated = p.uses[k][size_t(lab)];
        EMBER_CHECK(have < 0 || sz == have || (!repeated && (sz == 1 || have == 1)), ShapeMismatch, node,
                    ": subscript sizes conflict: operand ", k, " of shape ", dims_str(shapes[k]),
                    " has size ", sz, " where another dimension with the same subscript has ", have);
        if (have < 0 || have == 1) have = sz;
        p.uses[k][size_t(lab)] = true;
        if (sz != 1) p.stride[k][size_t(lab)] += st[d];
        ++d;
      }
    }
  }
  // A size-1 operand dim under a larger label size broadcasts: its stride stays 0 (above).
  for (int l : eq.output) {
    if (l == kEllipsis)
      for (size_t j = 0; j < n_ell; ++j) p.output.push_back(kLetters + int(j));
    else
      p.output.push_back(l);
  }
  for (int l : p.output) p.out_shape.push_back(p.size[size_t(l)]);
  return p;
}

}  // namespace ember::ops::nn
