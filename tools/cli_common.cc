#include "tools/cli_common.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace ember::cli {

std::vector<OptionSpec> session_option_specs() {
  return {
      {"--threads", "N", "worker threads (0 = one per core)"},
      {"--option", "KEY=VALUE", "any session option, e.g. optimization=0, device=cpu (repeatable)", true},
  };
}

runtime::SessionOptions session_options_from(const ParsedArgs& args, runtime::SessionOptions base) {
  for (const std::string& kv : args.values("--option")) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0)
      throw UsageError("--option expects KEY=VALUE, got '" + kv + "'");
    base.set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (args.has("--threads"))
    base.set("threads", std::to_string(args.get_int("--threads", 0, 0, 4096)));
  return base;
}

const std::string& model_path(const ParsedArgs& args) {
  if (args.positional.empty()) throw UsageError("missing MODEL");
  if (args.positional.size() > 1) throw UsageError("unexpected argument '" + args.positional[1] + "'");
  return args.positional[0];
}

std::string sanitize_file_name(const std::string& name) {
  std::string out;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    out.push_back(ok ? c : '_');
  }
  if (out.empty() || out[0] == '.') out.insert(out.begin(), '_');
  return out;
}

TensorStats tensor_stats(const Tensor& t) {
  TensorStats s;
  if (t.dtype() == DType::String) return s;
  s.numeric = true;
  if (t.numel() == 0) return s;
  visit_numeric_dtype(t.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = t.data<T>();
    double sum = 0;
    s.min = std::numeric_limits<double>::infinity();
    s.max = -s.min;
    for (int64_t i = 0; i < t.numel(); ++i) {
      double v;
      if constexpr (std::is_same_v<T, half> || std::is_same_v<T, bfloat16>) {
        v = static_cast<float>(p[i]);  // the storage types convert through float
      } else {
        v = static_cast<double>(p[i]);
      }
      sum += v;
      s.min = std::min(s.min, v);
      if (s.argmax < 0 || v > s.max) {
        s.max = v;
        s.argmax = i;
      }
    }
    s.mean = sum / double(t.numel());
  });
  return s;
}

}  // namespace ember::cli
