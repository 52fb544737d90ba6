// RegexFullMatch (opset 20): whether each string matches `pattern` as a whole.
//
// The spec asks for RE2 syntax; std::regex (ECMAScript) is used instead, restricted to the
// part of the syntax where both agree. The pattern is checked once against a whitelist
// (literals, escapes \w \W \d \D \s \S \b \B, classes, groups, non-capturing groups,
// quantifiers, anchors, alternation); anything else (flags, named groups, backreferences,
// lookarounds, \p classes...) is refused as unsupported rather than risking a different
// answer. Inputs where the two engines' character semantics differ are refused at run time:
// non-ASCII text (RE2 matches code points, std::regex bytes), '\r' when the pattern uses '.',
// '\v' when it uses \s or \S, and very long strings (std::regex recurses per character).
#include <regex>

#include "ops/op_util.h"
#include "ops/text/text_ops.h"

namespace ember::ops::text {
namespace {

constexpr size_t kMaxInputBytes = 4096;

struct PatternInfo {
  bool uses_dot = false;
  bool uses_space_class = false;
};

[[noreturn]] void refuse(const ir::Node& node, const std::string& p, const std::string& why) {
  fail(Status::Unsupported, node.describe(), ": pattern '", p, "': ", why, " is not supported");
}

PatternInfo check_pattern(const ir::Node& node, const std::string& p) {
  EMBER_CHECK(is_ascii(p), Unsupported, node.describe(), ": non-ASCII pattern is not supported");
  PatternInfo info;
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\') {
      EMBER_CHECK(i + 1 < p.size(), InvalidModel, node.describe(), ": pattern ends with a lone backslash");
      const char e = p[++i];
      if (e == 's' || e == 'S') info.uses_space_class = true;
      if (std::string("wWdDsSbBntrfv").find(e) != std::string::npos) {
        if (in_class && (e == 'b' || e == 'B')) refuse(node, p, "\\b inside a class");
        continue;
      }
      if (!std::isalnum(static_cast<unsigned char>(e))) continue;  // escaped punctuation
      refuse(node, p, std::string("the escape \\") + e);
    }
    if (in_class) {
      if (c == '[') refuse(node, p, "'[' inside a class (POSIX classes, nesting)");
      if (c == ']') in_class = false;
      continue;
    }
    if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') ++i;
      if (i + 1 < p.size() && p[i + 1] == ']') refuse(node, p, "a class starting with ']'");
      continue;
    }
    if (c == '.') info.uses_dot = true;
    if (c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      if (i + 2 < p.size() && p[i + 2] == ':') continue;
      refuse(node, p, "a '(?' group other than '(?:'");
    }
    if (c == '{') {
      // Only a well-formed {m}, {m,} or {m,n} (both engines treat other braces differently).
      size_t j = i + 1;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j;
      if (j == i + 1) refuse(node, p, "a '{' that is not a repetition");
      if (j < p.size() && p[j] == ',') {
        ++j;
        while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) ++j;
      }
      if (j >= p.size() || p[j] != '}') refuse(node, p, "a '{' that is not a repetition");
      if (j - i > 12) refuse(node, p, "a very large repetition count");
      i = j;
    }
  }
  EMBER_CHECK(!in_class, InvalidModel, node.describe(), ": pattern '", p, "' has an unterminated class");
  return info;
}

class RegexKernel final : public Kernel {
 public:
  explicit RegexKernel(const ir::Node& node) : desc_(node.describe()) {
    const ir::Attribute* a = node.attr("pattern");
    EMBER_CHECK(a, InvalidModel, desc_, ": the 'pattern' attribute is required");
    pattern_ = a->s;
    info_ = check_pattern(node, pattern_);
    try {
      re_ = std::regex(pattern_, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      fail(Status::InvalidModel, desc_, ": invalid pattern '", pattern_, "': ", e.what());
    }
  }

  void run(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    EMBER_CHECK(x.dtype() == DType::String, TypeMismatch, desc_, ": X must be string");
    Tensor& y = ctx.output(0, DType::Bool, x.shape());
    const std::string* in = x.data<std::string>();
    for (int64_t i = 0; i < x.numel(); ++i) {
      const std::string& s = in[i];
      EMBER_CHECK(is_ascii(s), Unsupported, desc_, ": matching non-ASCII text is not supported");
      EMBER_CHECK(s.size() <= kMaxInputBytes, Unsupported, desc_, ": strings longer than ", kMaxInputBytes,
                  " bytes are not supported");
      EMBER_CHECK(!(info_.uses_dot && s.find('\r') != std::string::npos), Unsupported, desc_,
                  ": '.' against text with '\\r' is not supported");
      EMBER_CHECK(!(info_.uses_space_class && s.find('\v') != std::string::npos), Unsupported, desc_,
                  ": \\s against text with '\\v' is not supported");
      try {
        y.data<bool>()[i] = std::regex_match(s, re_);
      } catch (const std::regex_error& e) {
        fail(Status::Unsupported, desc_, ": the regex engine gave up on element ", i, ": ", e.what());
      }
    }
  }

 private:
  std::string desc_, pattern_;
  PatternInfo info_;
  std::regex re_;
};

void infer_regex(InferContext& ctx) {
  const TypeInfo& x = ctx.input_type(0);
  require_dtype(ctx.node(), "X", x.dtype, {DType::String, DType::Undefined});
  TypeInfo out = x;
  out.dtype = DType::Bool;
  ctx.set_output(0, out);
}

std::unique_ptr<Kernel> make_regex(const ir::Node& node, KernelFactoryContext&) {
  return std::make_unique<RegexKernel>(node);
}

}  // namespace

void add_regex_ops(OpRegistry& r) {
  r.add(OpSchema{"RegexFullMatch", "", 20, 1 << 30, infer_regex, make_regex, {DType::String}});
}

}  // namespace ember::ops::text
