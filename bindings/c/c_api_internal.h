// Internals of the C API: what the opaque handles hold, and the exception barrier every
// entry point runs its body through. Not installed; only bindings/c/*.cc include it.
#pragma once

#include <memory>
#include <new>
#include <string>

#include "include/ember/ember.h"
#include "ir/tensor.h"
#include "runtime/session.h"
#include "runtime/session_options.h"
#include "support/error.h"

struct ember_options {
  ember::runtime::SessionOptions opts;
};

struct ember_session {
  std::unique_ptr<ember::runtime::Session> session;
};

// A C tensor is an ember::Tensor handle; it either owns its storage or borrows the caller's.
struct ember_tensor {
  ember::Tensor tensor;
};

namespace ember::capi {

// Records the message returned by ember_last_error() on this thread.
void set_last_error(const std::string& msg);
// ember::Status and ember_status share one numbering (src/support/error.h).
ember_status to_c_status(Status s);

// Runs `body` (which returns nothing and throws on failure) and turns every exception into a
// status plus a thread-local message, so no exception ever crosses the C boundary.
template <class F>
ember_status guard(F&& body) noexcept {
  try {
    body();
    return EMBER_OK;
  } catch (const Error& e) {
    set_last_error(e.what());
    return to_c_status(e.status());
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return EMBER_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_last_error(std::string("internal error: ") + e.what());
    return EMBER_ERR_RUNTIME;
  } catch (...) {
    set_last_error("internal error: unknown exception");
    return EMBER_ERR_RUNTIME;
  }
}

// Throws InvalidArgument naming the argument and the function when `p` is NULL.
inline void require(const void* p, const char* arg, const char* fn) {
  if (!p) fail(Status::InvalidArgument, fn, ": argument '", arg, "' is NULL");
}

}  // namespace ember::capi
