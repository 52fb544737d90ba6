#include "onnx/onnx_writer.h"

#include <filesystem>
#include <memory>

#include "onnx/atomic_file.h"
#include "onnx/model_export.h"
#include "support/error.h"

namespace ember::onnx {

namespace {

// protobuf (and so onnxruntime and the onnx package) cannot parse messages of 2 GiB or more.
constexpr uint64_t kMaxProtoBytes = (uint64_t(1) << 31) - 1;

}  // namespace

std::string external_data_name(const std::string& model_file_name) { return model_file_name + ".data"; }

SaveResult save_model_file(const ir::Model& model, const std::string& path, const SaveOptions& options) {
  const std::filesystem::path p(path);
  EMBER_CHECK(!p.filename().empty() && p.filename() != "." && p.filename() != "..", Io, "cannot write '", path,
              "': not a file name");
  SaveResult result;
  result.model_path = path;
  const std::string data_name = external_data_name(p.filename().string());
  ExternalDataWriter external(data_name, options.external_threshold);
  const std::string bytes = encode_model(model, options.external_data ? &external : nullptr);
  EMBER_CHECK(bytes.size() <= kMaxProtoBytes, InvalidModel, "cannot write '", path, "': the model is ",
              bytes.size(), " bytes without its external data, over protobuf's 2 GiB limit",
              options.external_data ? "" : " (save with external data)");

  // Both temporaries are complete before either final name changes.
  std::unique_ptr<AtomicFile> data_file;
  if (!external.empty()) {
    result.data_path = (p.parent_path() / data_name).string();
    data_file = std::make_unique<AtomicFile>(result.data_path);
    external.write_to(data_file->fd(), result.data_path);
    data_file->finish();
    result.data_bytes = external.file_size();
    result.external_tensors = external.tensor_count();
  }
  AtomicFile model_file(path);
  model_file.write(bytes.data(), bytes.size());
  model_file.finish();
  result.model_bytes = bytes.size();
  if (options.before_commit) options.before_commit();

  // The data goes first: a model must never be visible next to a data file it does not match
  // for longer than the two renames. If the model's rename fails, the data just renamed is
  // removed again, so the failure leaves no new output behind.
  if (data_file) data_file->commit();
  try {
    model_file.commit();
  } catch (...) {
    std::error_code ec;
    if (data_file) std::filesystem::remove(result.data_path, ec);
    throw;
  }
  return result;
}

}  // namespace ember::onnx
