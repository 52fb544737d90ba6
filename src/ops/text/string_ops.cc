// StringNormalizer (10), StringConcat (20), StringSplit (20).
//
// Case changes and case-insensitive stopword matching are ASCII-only here: full Unicode case
// mapping needs tables we do not carry, so a non-ASCII string in those modes is refused
// (Unsupported) rather than answered differently from onnxruntime.
#include <algorithm>
#include <cctype>
#include <set>

#include "ops/op_util.h"
#include "ops/text/text_ops.h"

namespace ember::ops::text {

bool is_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

namespace {

void require_strings(const ir::Node& node, const char* what, DType got) {
  require_dtype(node, what, got, {DType::String, DType::Undefined});
}

// ---- StringNormalizer: input [C] or [1, C]; removes stopwords, then changes case.

std::string change_case(std::string s, int action) {
  for (char& c : s) c = char(action > 0 ? std::toupper(static_cast<unsigned char>(c))
                                        : std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int parse_case_action(const ir::Node& node) {
  const std::string a = node.attr_string("case_change_action", "NONE");
  if (a == "NONE") return 0;
  if (a == "LOWER") return -1;
  if (a == "UPPER") return 1;
  fail(Status::InvalidModel, node.describe(), ": case_change_action='", a, "' is not NONE, LOWER or UPPER");
}

void infer_normalizer(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  parse_case_action(node);
  const TypeInfo& x = ctx.input_type(0);
  require_strings(node, "X", x.dtype);
  TypeInfo out = TypeInfo::tensor_unknown_shape(DType::String);
  if (x.has_shape) {
    EMBER_CHECK(x.dims.size() == 1 || (x.dims.size() == 2 && (!x.dims[0].known() || x.dims[0].value == 1)),
                ShapeMismatch, node.describe(), ": X must be [C] or [1, C], got ", x.str());
    out.has_shape = true;
    out.dims.assign(x.dims.size(), ir::Dim{});
    if (x.dims.size() == 2) out.dims[0].value = 1;
  }
  ctx.set_output(0, out);
}

void run_normalizer(KernelContext& ctx, const ir::Node& node) {
  const Tensor& x = ctx.input(0);
  EMBER_CHECK(x.dtype() == DType::String, TypeMismatch, node.describe(), ": X must be string");
  EMBER_CHECK(x.rank() == 1 || (x.rank() == 2 && x.dim(0) == 1), ShapeMismatch, node.describe(),
              ": X must be [C] or [1, C], got ", dims_str(x.shape()));
  const int action = parse_case_action(node);
  const bool sensitive = node.attr_int("is_case_sensitive", 0) != 0;
  const std::string locale = node.attr_string("locale", "");
  // Turkish and Azeri map i/I differently even in ASCII.
  EMBER_CHECK(action == 0 || !(locale.rfind("tr", 0) == 0 || locale.rfind("az", 0) == 0), Unsupported,
              node.describe(), ": locale='", locale, "' with a case change is not supported");
  std::set<std::string> stops;
  for (const std::string& w : node.attr_strings("stopwords")) {
    EMBER_CHECK(sensitive || is_ascii(w), Unsupported, node.describe(),
                ": case-insensitive matching of the non-ASCII stopword '", w, "' is not supported");
    stops.insert(sensitive ? w : change_case(w, -1));
  }
  std::vector<std::string> kept;
  const std::string* in = x.data<std::string>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const std::string& s = in[i];
    EMBER_CHECK((sensitive || stops.empty()) && action == 0 ? true : is_ascii(s), Unsupported, node.describe(),
                ": case mapping of non-ASCII strings is not supported");
    if (stops.count(sensitive ? s : change_case(s, -1))) continue;
    kept.push_back(action == 0 ? s : change_case(s, action));
  }
  // All removed: the spec asks for a single empty string.
  if (kept.empty()) kept.push_back("");
  const int64_t n = int64_t(kept.size());
  Tensor& y = ctx.output(0, DType::String, x.rank() == 1 ? Dims{n} : Dims{1, n});
  std::copy(kept.begin(), kept.end(), y.data<std::string>());
}

// ---- StringConcat: elementwise concatenation with numpy broadcasting.

void infer_concat(InferContext& ctx) {
  const ir::Node& node = ctx.node();
  require_strings(node, "X", ctx.input_type(0).dtype);
  require_strings(node, "Y", ctx.input_type(1).dtype);
  TypeInfo out;
  if (!broadcast_types(ctx.input_type(0), ctx.input_type(1), out)) out = TypeInfo::tensor_unknown_shape(DType::String);
  out.dtype = DType::String;
  ctx.set_output(0, out);
}

void run_concat(KernelContext& ctx, const ir::Node& node) {
  const Tensor& a = ctx.input(0);
  const Tensor& b = ctx.input(1);
  EMBER_CHECK(a.dtype() == DType::String && b.dtype() == DType::String, TypeMismatch, node.describe(),
              ": inputs must be string tensors");
  const Dims shape = broadcast_shapes(a.shape(), b.shape());
  Tensor& y = ctx.output(0, DType::String, shape);
  StridedCounter it(shape, {broadcast_strides(a.shape(), shape), broadcast_strides(b.shape(), shape)});
  std::string* out = y.data<std::string>();
  const std::string* pa = a.data<std::string>();
  const std::string* pb = b.data<std::string>();
  for (int64_t i = 0; i < y.numel(); ++i, it.next()) out[i] = pa[it.offset(0)] + pb[it.offset(1)];
}

// ---- StringSplit: Y = X.shape + [max pieces] (padded with ""), Z = pieces per string.

// Python's str.isspace() code points, which str.split() without a separator splits on.
bool is_space_cp(uint32_t c) {
  return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

// Length in bytes of the UTF-8 sequence at s[i] and its code point (invalid bytes: 1, 0xFFFD).
size_t decode_utf8(const std::string& s, size_t i, uint32_t& cp) {
  const auto u = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = u(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) { cp = 0xFFFD; return 1; }
  cp = n == 1 ? c : (c & (0x7F >> n));
  for (size_t k = 1; k < n; ++k) {
    if ((u(i + k) & 0xC0) != 0x80) { cp = 0xFFFD; return 1; }
    cp = (cp << 6) | (u(i + k) & 0x3F);
  }
  return n;
}

std::vector<std::string> split_whitespace(const std::string& s, int64_t maxsplit) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    uint32_t cp;
    size_t n = decode_utf8(s, i, cp);
    if (is_space_cp(cp)) { i += n; continue; }
    if (maxsplit >= 0 && int64_t(out.size()) == maxsplit) {
      out.push_back(s.substr(i));  // the rest, trailing whitespace included, as in Python
      return out;
    }
    size_t j = i;
    while (j < s.size()) {
      n = decode_utf8(s, j, cp);
      if (is_space_cp(cp)) break;
      j += n;
    }
    out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::vector<std::string> split_on(const std::string& s, const std::string& sep, int64_t maxsplit) {
  std::vector<std::string> out;
  size_t start = 0;
  while (maxsplit < 0 || int64_t(out.size()) < maxsplit) {
    const size_t p = s.find(sep, start);
    if (p == std::string::npos) break;
    out.push_back(s.substr(start, p - start));
    start = p + sep.size();
  }
  out.push_back(s.substr(start));
  return out;
}

void infer_split(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  require_strings(ctx.node(), "X", x.dtype);
  TypeInfo y = TypeInfo::tensor_unknown_shape(DType::String), z = TypeInfo::tensor_unknown_shape(DType::Int64);
  if (x.has_shape) {
    y.has_shape = z.has_shape = true;
    y.dims = z.dims = x.dims;
    y.dims.push_back(ir::Dim{});
  }
  ctx.set_output(0, y);
  if (ctx.output_count() > 1) ctx.set_output(1, z);
}

void run_split(KernelContext& ctx, const ir::Node& node) {
  const Tensor& x = ctx.input(0);
  EMBER_CHECK(x.dtype() == DType::String, TypeMismatch, node.describe(), ": X must be string");
  const std::string delim = node.attr_string("delimiter", "");
  const int64_t maxsplit = node.attr_int("maxsplit", -1);
  EMBER_CHECK(maxsplit >= -1, InvalidModel, node.describe(), ": maxsplit=", maxsplit, " must not be negative");
  std::vector<std::vector<std::string>> pieces(size_t(x.numel()));
  size_t widest = 0;
  const std::string* in = x.data<std::string>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    pieces[size_t(i)] = delim.empty() ? split_whitespace(in[i], maxsplit) : split_on(in[i], delim, maxsplit);
    widest = std::max(widest, pieces[size_t(i)].size());
  }
  Dims yshape = x.shape();
  yshape.push_back(int64_t(widest));
  Tensor& y = ctx.output(0, DType::String, yshape);
  std::string* out = y.data<std::string>();
  for (size_t i = 0; i < pieces.size(); ++i)
    for (size_t k = 0; k < widest; ++k) out[i * widest + k] = k < pieces[i].size() ? pieces[i][k] : std::string();
  if (ctx.output_count() > 1 && ctx.wants_output(1)) {
    Tensor& z = ctx.output(1, DType::Int64, x.shape());
    for (size_t i = 0; i < pieces.size(); ++i) z.data<int64_t>()[i] = int64_t(pieces[i].size());
  }
}

template <NodeRunFn F>
std::unique_ptr<Kernel> make(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<NodeFnKernel>(node, F);
}

}  // namespace

void add_string_ops(OpRegistry& r) {
  r.add(OpSchema{"StringNormalizer", "", 10, 1 << 30, infer_normalizer, make<run_normalizer>, {DType::String}});
  r.add(OpSchema{"StringConcat", "", 20, 1 << 30, infer_concat, make<run_concat>, {DType::String}});
  r.add(OpSchema{"StringSplit", "", 20, 1 << 30, infer_split, make<run_split>, {DType::String}});
}

}  // namespace ember::ops::text
