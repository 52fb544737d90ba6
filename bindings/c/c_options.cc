// ember_options_*: key/value strings forwarded to runtime::SessionOptions::set, which owns
// the list of keys and their validation.
#include "bindings/c/c_api_internal.h"

using ember::capi::guard;
using ember::capi::require;

extern "C" {

ember_status ember_options_create(ember_options** out) {
  return guard([&] {
    require(out, "out", "ember_options_create");
    *out = new ember_options();
  });
}

ember_status ember_options_set(ember_options* o, const char* key, const char* value) {
  return guard([&] {
    require(o, "o", "ember_options_set");
    require(key, "key", "ember_options_set");
    require(value, "value", "ember_options_set");
    // Set on a copy so a rejected value leaves the options exactly as they were.
    ember::runtime::SessionOptions updated = o->opts;
    updated.set(key, value);
    o->opts = std::move(updated);
  });
}

void ember_options_destroy(ember_options* o) { delete o; }

}  // extern "C"
