// ember_session_run: feeds borrowed input tensors to runtime::Session::run and hands results
// back either as new tensors or copied into tensors the caller provided.
#include <cstring>

#include "bindings/c/c_api_internal.h"

using ember::DType;
using ember::capi::guard;
using ember::capi::require;

namespace {

// A caller-provided output must match exactly: filling it is a copy, never a reshape or a cast.
void check_provided_output(const ember::Tensor& want, const ember::Tensor& given,
                           const std::string& name) {
  EMBER_CHECK(given.dtype() == want.dtype(), TypeMismatch, "ember_session_run: output '", name,
              "' is ", ember::dtype_name(want.dtype()), " but the provided tensor is ",
              ember::dtype_name(given.dtype()));
  EMBER_CHECK(given.shape() == want.shape(), ShapeMismatch, "ember_session_run: output '", name,
              "' has shape ", ember::dims_str(want.shape()), " but the provided tensor has shape ",
              ember::dims_str(given.shape()));
}

}  // namespace

extern "C" {

ember_status ember_session_run(ember_session* s, const char* const* input_names,
                               const ember_tensor* const* inputs, size_t input_count,
                               const char* const* output_names, ember_tensor** outputs,
                               size_t output_count) {
  return guard([&] {
    const char* fn = "ember_session_run";
    require(s, "s", fn);
    if (input_count > 0) {
      require(input_names, "input_names", fn);
      require(inputs, "inputs", fn);
    }
    EMBER_CHECK(output_count > 0, InvalidArgument, fn, ": output_count is 0; request at least one output");
    require(output_names, "output_names", fn);
    require(outputs, "outputs", fn);

    ember::runtime::Feeds feeds;
    feeds.reserve(input_count);
    for (size_t i = 0; i < input_count; ++i) {
      EMBER_CHECK(input_names[i], InvalidArgument, fn, ": input_names[", i, "] is NULL");
      EMBER_CHECK(inputs[i], InvalidArgument, fn, ": inputs[", i, "] ('", input_names[i], "') is NULL");
      feeds.emplace_back(input_names[i], inputs[i]->tensor);
    }
    std::vector<std::string> names;
    names.reserve(output_count);
    for (size_t i = 0; i < output_count; ++i) {
      EMBER_CHECK(output_names[i], InvalidArgument, fn, ": output_names[", i, "] is NULL");
      names.emplace_back(output_names[i]);
    }

    std::vector<ember::Tensor> results = s->session->run(feeds, names);
    EMBER_CHECK(results.size() == output_count, Runtime, fn, ": the session returned ",
                results.size(), " outputs for ", output_count, " requested");

    // Validate and allocate everything first; the commit loop below cannot fail, so on any
    // error outputs[] and the caller's tensors are left untouched.
    std::vector<std::unique_ptr<ember_tensor>> fresh(output_count);
    for (size_t i = 0; i < output_count; ++i) {
      EMBER_CHECK(results[i].dtype() != DType::String, Unsupported, fn, ": output '", names[i],
                  "' is a string tensor; the C API only returns numeric tensors");
      if (outputs[i]) {
        check_provided_output(results[i], outputs[i]->tensor, names[i]);
      } else {
        fresh[i] = std::make_unique<ember_tensor>();
        fresh[i]->tensor = std::move(results[i]);
      }
    }
    for (size_t i = 0; i < output_count; ++i) {
      if (fresh[i]) {
        outputs[i] = fresh[i].release();
      } else if (results[i].nbytes() > 0) {
        std::memcpy(outputs[i]->tensor.raw(), results[i].raw(), results[i].nbytes());
      }
    }
  });
}

}  // extern "C"
