// Header-only C++17 wrapper over the Ember C API (ember.h): RAII handles and exceptions.
// It adds no behaviour of its own; every call forwards to one C function.
//
//   ember::Session session("model.onnx", ember::Options().set("threads", "4"));
//   ember::Tensor x = ember::Tensor::allocate(EMBER_FLOAT32, {1, 3, 224, 224});
//   std::vector<ember::Tensor> y = session.run({{"input", &x}});
//
// The classes live in an inline namespace so their symbols never collide with Ember's internal
// C++ types when both are linked into one program; users simply write ember::Session.
#ifndef EMBER_EMBER_HPP_
#define EMBER_EMBER_HPP_

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "ember/ember.h"

namespace ember {
inline namespace cpp_api {

// Thrown for every failed C call; carries the status and ember_last_error()'s message.
class Exception : public std::runtime_error {
 public:
  Exception(ember_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  ember_status status() const noexcept { return status_; }

 private:
  ember_status status_;
};

inline void check(ember_status status) {
  if (status != EMBER_OK) throw Exception(status, ember_last_error());
}

// unique_ptr deleters, for users who want the raw handles with automatic cleanup.
struct OptionsDeleter { void operator()(ember_options* p) const noexcept { ember_options_destroy(p); } };
struct SessionDeleter { void operator()(ember_session* p) const noexcept { ember_session_destroy(p); } };
struct TensorDeleter { void operator()(ember_tensor* p) const noexcept { ember_tensor_destroy(p); } };
using OptionsPtr = std::unique_ptr<ember_options, OptionsDeleter>;
using SessionPtr = std::unique_ptr<ember_session, SessionDeleter>;
using TensorPtr = std::unique_ptr<ember_tensor, TensorDeleter>;

class Options {
 public:
  Options() {
    ember_options* p = nullptr;
    check(ember_options_create(&p));
    handle_.reset(p);
  }
  // Returns *this so calls chain: Options().set("threads", "2").set("optimization", "1").
  Options& set(const std::string& key, const std::string& value) {
    check(ember_options_set(handle_.get(), key.c_str(), value.c_str()));
    return *this;
  }
  const ember_options* get() const noexcept { return handle_.get(); }

 private:
  OptionsPtr handle_;
};

class Tensor {
 public:
  Tensor() = default;
  // Takes ownership of a C handle (e.g. one returned by ember_session_run).
  explicit Tensor(ember_tensor* handle) noexcept : handle_(handle) {}

  // Zero-filled storage owned by the tensor.
  static Tensor allocate(ember_dtype dtype, const std::vector<int64_t>& shape) {
    return create(dtype, shape, nullptr);
  }
  // Borrows `data`, which must outlive the tensor and hold the shape's element count.
  static Tensor borrow(ember_dtype dtype, const std::vector<int64_t>& shape, void* data) {
    return create(dtype, shape, data);
  }

  bool valid() const noexcept { return handle_ != nullptr; }
  ember_dtype dtype() const noexcept { return ember_tensor_dtype(handle_.get()); }
  std::vector<int64_t> shape() const {
    const int64_t* s = ember_tensor_shape(handle_.get());
    return s ? std::vector<int64_t>(s, s + ember_tensor_rank(handle_.get())) : std::vector<int64_t>();
  }
  size_t element_count() const noexcept { return ember_tensor_element_count(handle_.get()); }
  size_t byte_size() const noexcept { return ember_tensor_byte_size(handle_.get()); }
  // Unchecked view of the elements; T must match dtype().
  template <class T> T* data() noexcept { return static_cast<T*>(ember_tensor_data(handle_.get())); }
  template <class T> const T* data() const noexcept {
    return static_cast<const T*>(ember_tensor_data(handle_.get()));
  }

  ember_tensor* get() const noexcept { return handle_.get(); }
  ember_tensor* release() noexcept { return handle_.release(); }

 private:
  static Tensor create(ember_dtype dtype, const std::vector<int64_t>& shape, void* data) {
    ember_tensor* p = nullptr;
    check(ember_tensor_create(dtype, shape.data(), shape.size(), data, &p));
    return Tensor(p);
  }
  TensorPtr handle_;
};

// Static description of one model input or output; rank_known false means dims is empty
// because the model does not know the rank.
struct TensorInfo {
  std::string name;
  ember_dtype dtype;
  bool rank_known;
  std::vector<int64_t> dims;  // -1 for a dynamic dimension
};

class Session {
 public:
  explicit Session(const std::string& model_path, const Options& options = Options()) {
    ember_session* p = nullptr;
    check(ember_session_create(model_path.c_str(), options.get(), &p));
    handle_.reset(p);
  }
  static Session from_memory(const void* data, size_t size, const Options& options = Options()) {
    ember_session* p = nullptr;
    check(ember_session_create_from_memory(data, size, options.get(), &p));
    return Session(p);
  }

  size_t input_count() const noexcept { return ember_session_input_count(handle_.get()); }
  size_t output_count() const noexcept { return ember_session_output_count(handle_.get()); }
  TensorInfo input(size_t i) const { return info(i, true); }
  TensorInfo output(size_t i) const { return info(i, false); }

  // Runs the model. Empty `output_names` means every output, in model order.
  std::vector<Tensor> run(const std::vector<std::pair<std::string, const Tensor*>>& feeds,
                          std::vector<std::string> output_names = {}) const {
    if (output_names.empty())
      for (size_t i = 0; i < output_count(); ++i) output_names.push_back(output(i).name);
    std::vector<Tensor> outputs(output_names.size());
    run_into(feeds, output_names, outputs);
    return outputs;
  }
  // Same, filling `outputs` in place: a valid tensor is written (its dtype and shape must
  // match), an empty one receives a newly allocated result.
  void run_into(const std::vector<std::pair<std::string, const Tensor*>>& feeds,
                const std::vector<std::string>& output_names, std::vector<Tensor>& outputs) const {
    if (outputs.size() != output_names.size())
      throw Exception(EMBER_ERR_INVALID_ARGUMENT, "run_into: outputs and output_names differ in size");
    std::vector<const char*> in_names, out_names;
    std::vector<const ember_tensor*> in_tensors;
    std::vector<ember_tensor*> out_tensors;
    for (const auto& f : feeds) {
      in_names.push_back(f.first.c_str());
      in_tensors.push_back(f.second ? f.second->get() : nullptr);
    }
    for (size_t i = 0; i < output_names.size(); ++i) {
      out_names.push_back(output_names[i].c_str());
      out_tensors.push_back(outputs[i].get());
    }
    check(ember_session_run(handle_.get(), in_names.data(), in_tensors.data(), in_names.size(),
                            out_names.data(), out_tensors.data(), out_names.size()));
    for (size_t i = 0; i < outputs.size(); ++i)
      if (!outputs[i].valid()) outputs[i] = Tensor(out_tensors[i]);
  }

  ember_session* get() const noexcept { return handle_.get(); }

 private:
  explicit Session(ember_session* p) noexcept : handle_(p) {}

  TensorInfo info(size_t i, bool is_input) const {
    const char* name = is_input ? ember_session_input_name(handle_.get(), i)
                                : ember_session_output_name(handle_.get(), i);
    if (!name) throw Exception(EMBER_ERR_INVALID_ARGUMENT, ember_last_error());
    TensorInfo t{name, EMBER_FLOAT32, true, std::vector<int64_t>(16)};
    size_t rank = 0;
    auto query = [&] {
      return is_input ? ember_session_input_info(handle_.get(), i, &t.dtype, &rank, t.dims.data(), t.dims.size())
                      : ember_session_output_info(handle_.get(), i, &t.dtype, &rank, t.dims.data(), t.dims.size());
    };
    ember_status st = query();
    if (st == EMBER_ERR_INVALID_ARGUMENT) {  // rank above 16: retry with room for any rank
      t.dims.resize(4096);
      st = query();
    }
    check(st);
    t.rank_known = rank != EMBER_RANK_UNKNOWN;
    t.dims.resize(t.rank_known ? rank : 0);
    return t;
  }

  SessionPtr handle_;
};

}  // namespace cpp_api
}  // namespace ember

#endif  // EMBER_EMBER_HPP_
