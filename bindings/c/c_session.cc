// ember_session_*: creation, destruction and the description of inputs and outputs.
#include <algorithm>

#include "bindings/c/c_api_internal.h"

using ember::Status;
using ember::capi::guard;
using ember::capi::require;
using ember::runtime::IoInfo;
using ember::runtime::Session;
using ember::runtime::SessionOptions;

namespace {

const SessionOptions& options_or_default(const ember_options* o) {
  static const SessionOptions kDefaults;
  return o ? o->opts : kDefaults;
}

// The io list of `s`, or null (with the thread's last error set) when s is NULL.
const std::vector<IoInfo>* io_list(const ember_session* s, bool inputs, const char* fn) noexcept {
  if (!s) {
    try {
      ember::capi::set_last_error(std::string(fn) + ": argument 's' is NULL");
    } catch (...) {
    }
    return nullptr;
  }
  return inputs ? &s->session->inputs() : &s->session->outputs();
}

const char* io_name(const ember_session* s, size_t i, bool inputs, const char* fn) noexcept {
  const auto* list = io_list(s, inputs, fn);
  if (!list) return nullptr;
  if (i >= list->size()) {
    try {
      ember::capi::set_last_error(ember::str_cat(fn, ": index ", i,
                                                 " is out of range (the model has ", list->size(),
                                                 inputs ? " inputs)" : " outputs)"));
    } catch (...) {  // formatting the message ran out of memory; NULL still says it failed
    }
    return nullptr;
  }
  return (*list)[i].name.c_str();
}

ember_status io_info(const ember_session* s, size_t i, bool inputs, const char* fn,
                     ember_dtype* dtype, size_t* rank, int64_t* dims, size_t dims_capacity) {
  return guard([&] {
    require(s, "s", fn);
    require(dtype, "dtype", fn);
    require(rank, "rank", fn);
    if (dims_capacity > 0) require(dims, "dims", fn);
    const auto& list = inputs ? s->session->inputs() : s->session->outputs();
    EMBER_CHECK(i < list.size(), InvalidArgument, fn, ": index ", i,
                " is out of range (the model has ", list.size(), inputs ? " inputs)" : " outputs)");
    const IoInfo& io = list[i];
    EMBER_CHECK(io.type.kind == ember::ir::ValueKind::Tensor, Unsupported, fn, ": '", io.name,
                "' is ", io.type.str(), ", not a tensor; the C API only describes tensors");
    if (!io.type.has_shape) {
      *dtype = ember_dtype(int(io.type.dtype));
      *rank = EMBER_RANK_UNKNOWN;
      return;
    }
    const size_t r = io.type.dims.size();
    EMBER_CHECK(r <= dims_capacity, InvalidArgument, fn, ": '", io.name, "' has rank ", r,
                " but dims_capacity is ", dims_capacity);
    for (size_t d = 0; d < r; ++d) dims[d] = io.type.dims[d].known() ? io.type.dims[d].value : -1;
    *dtype = ember_dtype(int(io.type.dtype));
    *rank = r;
  });
}

}  // namespace

extern "C" {

ember_status ember_session_create(const char* model_path, const ember_options* o,
                                  ember_session** out) {
  return guard([&] {
    require(model_path, "model_path", "ember_session_create");
    require(out, "out", "ember_session_create");
    auto s = std::make_unique<ember_session>();
    s->session = Session::from_file(model_path, options_or_default(o));
    *out = s.release();
  });
}

ember_status ember_session_create_from_memory(const void* data, size_t size,
                                              const ember_options* o, ember_session** out) {
  return guard([&] {
    require(data, "data", "ember_session_create_from_memory");
    require(out, "out", "ember_session_create_from_memory");
    EMBER_CHECK(size > 0, InvalidArgument, "ember_session_create_from_memory: size is 0");
    auto s = std::make_unique<ember_session>();
    s->session = Session::from_memory(data, size, options_or_default(o));
    *out = s.release();
  });
}

void ember_session_destroy(ember_session* s) { delete s; }

size_t ember_session_input_count(const ember_session* s) {
  const auto* list = io_list(s, true, "ember_session_input_count");
  return list ? list->size() : 0;
}

size_t ember_session_output_count(const ember_session* s) {
  const auto* list = io_list(s, false, "ember_session_output_count");
  return list ? list->size() : 0;
}

const char* ember_session_input_name(const ember_session* s, size_t i) {
  return io_name(s, i, true, "ember_session_input_name");
}

const char* ember_session_output_name(const ember_session* s, size_t i) {
  return io_name(s, i, false, "ember_session_output_name");
}

ember_status ember_session_input_info(const ember_session* s, size_t i, ember_dtype* dtype,
                                      size_t* rank, int64_t* dims, size_t dims_capacity) {
  return io_info(s, i, true, "ember_session_input_info", dtype, rank, dims, dims_capacity);
}

ember_status ember_session_output_info(const ember_session* s, size_t i, ember_dtype* dtype,
                                       size_t* rank, int64_t* dims, size_t dims_capacity) {
  return io_info(s, i, false, "ember_session_output_info", dtype, rank, dims, dims_capacity);
}

}  // extern "C"
