#include "tools/args.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

namespace ember::cli {

namespace {

const OptionSpec* find_spec(const std::vector<OptionSpec>& spec, const std::string& name) {
  for (const auto& s : spec)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace

const std::vector<std::string>& ParsedArgs::values(const std::string& name) const {
  static const std::vector<std::string> kNone;
  auto it = options_.find(name);
  return it == options_.end() ? kNone : it->second;
}

std::string ParsedArgs::get(const std::string& name, const std::string& dflt) const {
  auto it = options_.find(name);
  return it == options_.end() ? dflt : it->second.back();
}

int64_t ParsedArgs::get_int(const std::string& name, int64_t dflt, int64_t min, int64_t max) const {
  auto it = options_.find(name);
  if (it == options_.end()) return dflt;
  const std::string& text = it->second.back();
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno == ERANGE)
    throw UsageError(name + " expects an integer, got '" + text + "'");
  if (v < min || v > max)
    throw UsageError(name + " must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + text);
  return v;
}

ParsedArgs parse_args(const std::vector<std::string>& args, const std::vector<OptionSpec>& spec) {
  ParsedArgs parsed;
  bool options_done = false;  // after "--" everything is positional
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (options_done || a.size() < 2 || a[0] != '-') {
      parsed.positional.push_back(a);
      continue;
    }
    if (a == "--") {
      options_done = true;
      continue;
    }
    const size_t eq = a.find('=');
    const std::string name = a.substr(0, eq);
    const OptionSpec* s = find_spec(spec, name);
    if (!s) throw UsageError("unknown option '" + name + "'");
    std::string value;
    if (s->value_name.empty()) {
      if (eq != std::string::npos) throw UsageError(name + " takes no value");
    } else if (eq != std::string::npos) {
      value = a.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError(name + " needs a value (" + name + " " + s->value_name + ")");
    }
    auto& slot = parsed.options_[name];
    if (!slot.empty() && !s->repeatable) throw UsageError(name + " given more than once");
    slot.push_back(value);
  }
  return parsed;
}

std::string format_options(const std::vector<OptionSpec>& spec) {
  std::vector<std::string> heads;
  size_t width = 0;
  for (const auto& s : spec) {
    heads.push_back(s.value_name.empty() ? s.name : s.name + " " + s.value_name);
    width = std::max(width, heads.back().size());
  }
  std::ostringstream os;
  os << "Options:\n";
  for (size_t i = 0; i < spec.size(); ++i)
    os << "  " << heads[i] << std::string(width - heads[i].size() + 2, ' ') << spec[i].help << "\n";
  return os.str();
}

}  // namespace ember::cli
