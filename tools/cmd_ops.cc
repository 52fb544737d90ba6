// `ember ops`: prints the operators this build supports, from the op registry (src/ops):
// op, domain, opset range, element types and the backend:kernel that runs each.
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "ops/op_registry.h"
#include "runtime/backend.h"
#include "support/error.h"
#include "tools/commands.h"

namespace ember::cli {

namespace {

constexpr int kOpen = 1 << 30;  // OpSchema::last_version of an entry with no upper bound

struct Row {
  std::string op, domain, opsets;
  int since = 1, last = kOpen;
  std::vector<std::string> dtypes;
  std::vector<std::string> kernels;  // "cpu:reference"
};

// The backends built into this library. The registry has one implementation per schema (its
// make function, which the CPU backend calls), so that is all a row can name today; a backend
// with its own kernels would need the registry to say which ops it covers.
std::vector<std::string> built_backends() {
  std::vector<std::string> names;
  for (const char* device : {"cpu", "cuda:0"}) {
    try {
      names.emplace_back(runtime::find_backend(device).name());
    } catch (const Error&) {
      // not built in
    }
  }
  return names;
}

std::vector<Row> collect_rows(const std::string& domain_filter) {
  std::vector<Row> rows;
  for (const ops::OpSchema& s : ops::OpRegistry::global().all()) {
    Row r;
    r.op = s.op_type;
    r.domain = s.domain.empty() ? "ai.onnx" : s.domain;
    if (!domain_filter.empty() && r.domain != domain_filter) continue;
    r.since = s.since_version;
    r.last = s.last_version;
    r.opsets = std::to_string(s.since_version);
    if (s.last_version >= kOpen) {
      r.opsets += '+';
    } else if (s.last_version != s.since_version) {
      r.opsets += '-';
      r.opsets += std::to_string(s.last_version);
    }
    for (DType t : s.dtypes) r.dtypes.emplace_back(dtype_name(t));
    if (s.make) r.kernels.emplace_back("cpu:reference");
    rows.push_back(std::move(r));
  }
  std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
    // ai.onnx first, then other domains; by op and opset within a domain.
    const bool ma = a.domain == "ai.onnx", mb = b.domain == "ai.onnx";
    if (ma != mb) return ma;
    if (a.domain != b.domain) return a.domain < b.domain;
    if (a.op != b.op) return a.op < b.op;
    return a.since < b.since;
  });
  return rows;
}

std::string join(const std::vector<std::string>& v, const char* sep, const char* empty) {
  if (v.empty()) return empty;
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

size_t distinct_ops(const std::vector<Row>& rows) {
  std::vector<std::string> keys;
  for (const Row& r : rows) keys.push_back(r.domain + "/" + r.op);
  std::sort(keys.begin(), keys.end());
  return size_t(std::unique(keys.begin(), keys.end()) - keys.begin());
}

void print_text(const std::vector<Row>& rows, std::ostream& out) {
  size_t wo = 2, wd = 6, ws = 5, wk = 7;
  for (const Row& r : rows) {
    wo = std::max(wo, r.op.size());
    wd = std::max(wd, r.domain.size());
    ws = std::max(ws, r.opsets.size());
    wk = std::max(wk, join(r.kernels, ",", "-").size());
  }
  auto pad = [](const std::string& s, size_t w) { return s + std::string(w - s.size() + 2, ' '); };
  out << pad("OP", wo) << pad("DOMAIN", wd) << pad("OPSET", ws) << pad("KERNELS", wk) << "ELEMENT TYPES\n";
  for (const Row& r : rows)
    out << pad(r.op, wo) << pad(r.domain, wd) << pad(r.opsets, ws) << pad(join(r.kernels, ",", "-"), wk)
        << join(r.dtypes, " ", "(not listed)") << "\n";
  out << "\n" << distinct_ops(rows) << " ops (" << rows.size() << " opset ranges); backends built in: "
      << join(built_backends(), ", ", "none") << "\n";
}

void print_markdown(const std::vector<Row>& rows, std::ostream& out) {
  out << "| op | domain | opsets | kernels | element types |\n|---|---|---|---|---|\n";
  for (const Row& r : rows)
    out << "| " << r.op << " | " << r.domain << " | " << r.opsets << " | " << join(r.kernels, ", ", "-")
        << " | " << join(r.dtypes, ", ", "(not listed)") << " |\n";
  out << "\n" << distinct_ops(rows) << " ops (" << rows.size() << " opset ranges); backends built in: "
      << join(built_backends(), ", ", "none") << ".\n";
}

std::string json_str(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      o += buf;
      continue;
    }
    o += c;
  }
  return o + "\"";
}

std::string json_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + json_str(v[i]);
  return s + "]";
}

void print_json(const std::vector<Row>& rows, std::ostream& out) {
  out << "{\n  \"backends\": " << json_list(built_backends()) << ",\n  \"ops\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    out << "    {\"op\": " << json_str(r.op) << ", \"domain\": " << json_str(r.domain)
        << ", \"since\": " << r.since << ", \"last\": " << (r.last >= kOpen ? "null" : std::to_string(r.last))
        << ", \"dtypes\": " << json_list(r.dtypes) << ", \"kernels\": " << json_list(r.kernels) << "}"
        << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  out << "  ]\n}\n";
}

int run(const ParsedArgs& args, std::ostream& out, std::ostream&) {
  if (!args.positional.empty()) throw UsageError("unexpected argument '" + args.positional[0] + "'");
  const std::string format = args.get("--format", "text");
  if (format != "text" && format != "markdown" && format != "json")
    throw UsageError("--format must be text, markdown or json, not '" + format + "'");
  const std::vector<Row> rows = collect_rows(args.get("--domain", ""));
  if (format == "text") print_text(rows, out);
  else if (format == "markdown") print_markdown(rows, out);
  else print_json(rows, out);
  return 0;
}

}  // namespace

Command ops_command() {
  return Command{
      "ops", "list the supported operators: domain, opsets, element types, kernels",
      "usage: ember ops [options]\n\n"
      "Prints every operator in this build's registry, one line per opset range: the op, its\n"
      "domain, the opsets the entry handles (N+ = from N on), the backend:kernel that runs it\n"
      "and the element types its kernel accepts ((not listed) when the entry does not say).\n"
      "docs/ops.md is this table in markdown (scripts/gen_ops_doc.py).\n",
      {{"--format", "FMT", "text (default), markdown or json"},
       {"--domain", "DOMAIN", "only ops of this domain (ai.onnx, ai.onnx.ml, ...)"}},
      &run};
}

}  // namespace ember::cli
