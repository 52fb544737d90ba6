// The report at the end of `ember quantize`: a before/after table and the same as JSON.
#include <cmath>
#include <iomanip>
#include <sstream>

#include "opt/quantize/quantize_file.h"

namespace ember::opt::quantize {

namespace {

std::string mib(uint64_t bytes) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(bytes >= (1u << 20) ? 2 : 1);
  if (bytes >= (1u << 20)) os << double(bytes) / (1 << 20) << " MiB";
  else os << double(bytes) / 1024 << " KiB";
  return os.str();
}

std::string fixed(double v, int digits) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(digits) << v;
  return os.str();
}

std::string ratio(double after, double before) { return before > 0 ? fixed(after / before, 2) + "x" : "-"; }

void row(std::ostream& os, const std::string& what, const std::string& before, const std::string& after,
         const std::string& change) {
  os << "  " << std::left << std::setw(16) << what << std::right << std::setw(14) << before << std::setw(14) << after
     << std::setw(14) << change << "\n";
}

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') o += '\\', o += ch;
    else if (static_cast<unsigned char>(ch) < 0x20) o += ' ';
    else o += ch;
  }
  return o + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  std::ostringstream os;
  os.precision(9);
  os << v;
  return os.str();
}

}  // namespace

void print_quantize_report(const QuantizeFileReport& r, std::ostream& os) {
  os << "quantized:  " << r.input_path << " -> " << r.output_path << " (" << mode_name(r.mode) << ", " << r.details
     << ")\n";
  if (r.mode == QuantizeMode::Static)
    os << "calibrated: " << r.calibrated_tensors << " tensors on " << r.calibration_feeds << " feeds\n";
  os << "rewrites:   " << r.rewrites.size() << "; ops now:";
  for (const auto& [op, n] : r.ops_after) os << " " << op << " x" << n;
  os << "\n" << std::fixed << std::setprecision(1) << "time:       load " << r.load_ms << " ms, calibrate "
     << r.calibrate_ms << " ms, quantize " << r.quantize_ms << " ms, save " << r.save_ms << " ms\n\n";
  row(os, "", "before", "after", "change");
  row(os, "file size", mib(r.bytes_before), mib(r.bytes_after()), ratio(double(r.bytes_after()), double(r.bytes_before)));
  const Comparison& m = r.measured;
  if (m.runs > 0)
    row(os, "latency (ms)", fixed(m.latency_before_ms, 3), fixed(m.latency_after_ms, 3),
        ratio(m.latency_after_ms, m.latency_before_ms));
  if (m.has_accuracy)
    row(os, "top-1 (%)", fixed(100 * m.before.top1(), 2), fixed(100 * m.after.top1(), 2),
        (m.after.top1() >= m.before.top1() ? "+" : "") + fixed(100 * (m.after.top1() - m.before.top1()), 2) + " pt");
  if (m.runs > 0) os << "\nlatency: median of " << m.runs << " runs each, alternated, on " << m.latency_feed << "\n";
  if (m.has_accuracy) os << "top-1: " << m.before.total << " labelled rows\n";
}

std::string quantize_report_json(const QuantizeFileReport& r) {
  const Comparison& m = r.measured;
  std::ostringstream os;
  os << "{\"input\": " << json_string(r.input_path) << ", \"output\": " << json_string(r.output_path)
     << ", \"mode\": " << json_string(mode_name(r.mode)) << ", \"details\": " << json_string(r.details)
     << ", \"rewrites\": " << r.rewrites.size() << ", \"ops_after\": {";
  bool first = true;
  for (const auto& [op, n] : r.ops_after) {
    os << (first ? "" : ", ") << json_string(op) << ": " << n;
    first = false;
  }
  os << "}, \"calibration_feeds\": " << r.calibration_feeds << ", \"calibrated_tensors\": " << r.calibrated_tensors
     << ", \"bytes_before\": " << r.bytes_before << ", \"bytes_after\": " << r.bytes_after()
     << ", \"latency_runs\": " << m.runs << ", \"latency_before_ms\": "
     << (m.runs ? json_number(m.latency_before_ms) : "null")
     << ", \"latency_after_ms\": " << (m.runs ? json_number(m.latency_after_ms) : "null")
     << ", \"latency_feed\": " << json_string(m.latency_feed);
  if (m.has_accuracy)
    os << ", \"top1_before\": " << json_number(m.before.top1()) << ", \"top1_after\": " << json_number(m.after.top1())
       << ", \"eval_rows\": " << m.before.total;
  else
    os << ", \"top1_before\": null, \"top1_after\": null, \"eval_rows\": 0";
  os << ", \"load_ms\": " << json_number(r.load_ms) << ", \"calibrate_ms\": " << json_number(r.calibrate_ms)
     << ", \"quantize_ms\": " << json_number(r.quantize_ms) << ", \"save_ms\": " << json_number(r.save_ms) << "}";
  return os.str();
}

}  // namespace ember::opt::quantize
