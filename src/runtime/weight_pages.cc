#include "runtime/weight_pages.h"

#include <algorithm>
#include <cstdint>

#include "onnx/mapped_file.h"

namespace ember::runtime {

WeightPageReleaser::WeightPageReleaser(const ir::Graph& graph) {
  for (const auto& v : graph.values()) {
    // bytes(), not raw(): where a deferred constant's source lies, without materialising it.
    if (!v->constant || !v->constant->bytes()) continue;
    const void* start = onnx::MappedFile::mapping_of(v->constant->bytes()).first;
    if (start && std::find(mappings_.begin(), mappings_.end(), start) == mappings_.end())
      mappings_.push_back(start);
  }
}

void WeightPageReleaser::release_mappings() {
  for (const void* start : mappings_) released_ += onnx::MappedFile::release_pages(start, SIZE_MAX);
}

void WeightPageReleaser::release_inputs(const ir::Node& node) {
  for (const ir::Value* in : node.inputs)
    if (in && in->constant && in->constant->bytes())
      released_ += onnx::MappedFile::release_pages(in->constant->bytes(), in->constant->nbytes());
}

}  // namespace ember::runtime
