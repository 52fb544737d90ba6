#include "runtime/weight_pages.h"

#include <algorithm>
#include <cstdint>

#include "onnx/mapped_file.h"

namespace ember::runtime {

WeightPageReleaser::WeightPageReleaser(const ir::Graph& graph) {
  for (const auto& v : graph.values()) {
    if (!v->constant || !v->constant->raw()) continue;
    const void* start = onnx::MappedFile::mapping_of(v->constant->raw()).first;
    if (start && std::find(mappings_.begin(), mappings_.end(), start) == mappings_.end())
      mappings_.push_back(start);
  }
}

void WeightPageReleaser::release_mappings() {
  for (const void* start : mappings_) released_ += onnx::MappedFile::release_pages(start, SIZE_MAX);
}

void WeightPageReleaser::release_inputs(const ir::Node& node) {
  for (const ir::Value* in : node.inputs)
    if (in && in->constant && in->constant->raw())
      released_ += onnx::MappedFile::release_pages(in->constant->raw(), in->constant->nbytes());
}

}  // namespace ember::runtime
