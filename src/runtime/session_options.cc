#include "runtime/session_options.h"

#include <cstdlib>

#include "support/error.h"

namespace ember::runtime {

namespace {

int parse_int(const std::string& key, const std::string& value, int lo, int hi) {
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  EMBER_CHECK(!value.empty() && end && *end == '\0' && v >= lo && v <= hi, InvalidArgument,
              "option '", key, "': expected an integer in [", lo, ", ", hi, "], got '", value, "'");
  return int(v);
}

}  // namespace

void SessionOptions::set(const std::string& key, const std::string& value) {
  if (key == "threads") {
    threads = parse_int(key, value, 0, 4096);
  } else if (key == "optimization") {
    optimization = parse_int(key, value, 0, 3);
  } else if (key == "device") {
    const bool ok = value == "cpu" || value.rfind("cuda", 0) == 0;
    EMBER_CHECK(ok, InvalidArgument, "option 'device': expected 'cpu' or 'cuda:N', got '", value, "'");
    device = value;
  } else if (key == "profile") {
    profile_path = value;
  } else if (key == "cpu_backend") {
    EMBER_CHECK(value == "native" || value == "onednn" || value == "auto", InvalidArgument,
                "option 'cpu_backend': expected native, onednn or auto, got '", value, "'");
    cpu_backend = value;
  } else {
    fail(Status::InvalidArgument, "unknown option '", key, "'; known options:\n", keys_help());
  }
}

const char* SessionOptions::keys_help() {
  return "  threads       worker threads, 0 = all CPUs this process may use (default 0)\n"
         "  optimization  0 none, 1 clean-up and constant folding, 2 fusions, 3 all (default 3)\n"
         "  device        cpu | cuda:N (default cpu)\n"
         "  profile       path of a Chrome-trace JSON written per session\n"
         "  cpu_backend   native | onednn | auto (default native)\n";
}

}  // namespace ember::runtime
