// Session options as typed fields, set from the key/value strings the C API and Python pass.
#pragma once

#include <string>

namespace ember::runtime {

struct SessionOptions {
  int threads = 0;             // 0: default_thread_count()
  int optimization = 3;        // 0..3
  std::string device = "cpu";  // "cpu" or "cuda:N"
  std::string profile_path;    // Chrome-trace JSON written when the session is destroyed
  std::string cpu_backend = "native";  // native | onednn | auto (docs/cpu_backends.md)
  // Keep every constant in the session's graph (model()) after creation. By default, when the
  // session holds the only reference to its model, a constant that only weight prepacking
  // read is freed once packed (peak RSS); tools that describe the graph afterwards (`ember
  // inspect`) keep them. Not a key/value option.
  bool keep_graph_constants = false;

  // Sets one option from strings; throws InvalidArgument naming the key or the bad value.
  void set(const std::string& key, const std::string& value);
  static const char* keys_help();  // one line per known key, for --help texts and errors
};

}  // namespace ember::runtime
