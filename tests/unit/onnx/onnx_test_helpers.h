// Helpers shared by the ONNX reader tests: load bytes, capture the error of a failing load,
// and a scratch directory for file-based tests.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>

#include "onnx/onnx_reader.h"
#include "support/error.h"

namespace ember::test {

// Loads model bytes from memory; the model keeps its own copy of the bytes alive.
inline std::shared_ptr<ir::Model> load_bytes(const std::string& bytes) {
  auto keep = std::make_shared<std::string>(bytes);
  return onnx::load_model_memory(keep->data(), keep->size(), keep);
}

struct LoadResult {
  Status status = Status::Ok;
  std::string message;
};
// Loads and reports the outcome; anything other than ember::Error escapes and fails the test.
inline LoadResult try_load(const std::string& bytes) {
  try {
    load_bytes(bytes);
    return {};
  } catch (const Error& e) {
    return {e.status(), e.what()};
  }
}
template <class F>
LoadResult try_run(F&& f) {
  try {
    f();
    return {};
  } catch (const Error& e) {
    return {e.status(), e.what()};
  }
}

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ember_onnx_XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string write(const std::string& rel, const std::string& bytes) const {
    const auto p = path_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace ember::test
