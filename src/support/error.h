// Error reporting used throughout the library. Every failure is an ember::Error carrying a
// Status that maps 1:1 onto the C API's ember_status, so the C exception barrier can translate
// it without guessing.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

enum class Status : int {
  Ok = 0,
  InvalidArgument,
  InvalidModel,
  Unsupported,
  ShapeMismatch,
  TypeMismatch,
  OutOfMemory,
  Io,
  Device,
  Runtime,
};

const char* status_name(Status s);

class Error : public std::runtime_error {
 public:
  Error(Status s, const std::string& msg) : std::runtime_error(msg), status_(s) {}
  Status status() const noexcept { return status_; }

 private:
  Status status_;
};

// Concatenates anything streamable into one message.
template <class... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}

template <class... Args>
[[noreturn]] void fail(Status s, const Args&... args) {
  throw Error(s, str_cat(args...));
}

}  // namespace ember

// The message arguments are only evaluated when the check fails.
#define EMBER_CHECK(cond, status, ...)                                    \
  do {                                                                    \
    if (!(cond)) ::ember::fail(::ember::Status::status, __VA_ARGS__);     \
  } while (0)
