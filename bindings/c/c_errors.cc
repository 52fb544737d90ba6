// Error state and library identity for the C API.
#include "bindings/c/c_api_internal.h"

namespace ember::capi {

namespace {
// One message per thread: a failure on one thread never overwrites another thread's message.
thread_local std::string t_last_error;
}  // namespace

void set_last_error(const std::string& msg) {
  try {
    t_last_error = msg;
  } catch (...) {
    // Copying the message itself ran out of memory; a short literal fits the string's inline
    // buffer, so this cannot throw.
    t_last_error = "out of memory";
  }
}

ember_status to_c_status(Status s) {
  static_assert(int(Status::Ok) == EMBER_OK && int(Status::InvalidArgument) == EMBER_ERR_INVALID_ARGUMENT &&
                    int(Status::InvalidModel) == EMBER_ERR_INVALID_MODEL &&
                    int(Status::Unsupported) == EMBER_ERR_UNSUPPORTED &&
                    int(Status::ShapeMismatch) == EMBER_ERR_SHAPE_MISMATCH &&
                    int(Status::TypeMismatch) == EMBER_ERR_TYPE_MISMATCH &&
                    int(Status::OutOfMemory) == EMBER_ERR_OUT_OF_MEMORY &&
                    int(Status::Io) == EMBER_ERR_IO && int(Status::Device) == EMBER_ERR_DEVICE &&
                    int(Status::Runtime) == EMBER_ERR_RUNTIME,
                "ember::Status and ember_status must share one numbering");
  int v = int(s);
  // An Error thrown with Status::Ok would be a library bug; never report it as success.
  if (v <= EMBER_OK || v > EMBER_ERR_RUNTIME) return EMBER_ERR_RUNTIME;
  return ember_status(v);
}

}  // namespace ember::capi

extern "C" {

const char* ember_version(void) { return EMBER_VERSION_STRING; }

const char* ember_last_error(void) { return ember::capi::t_last_error.c_str(); }

const char* ember_status_string(ember_status status) {
  if (int(status) < EMBER_OK || int(status) > EMBER_ERR_RUNTIME) return "unknown status";
  return ember::status_name(ember::Status(int(status)));
}

}  // extern "C"
