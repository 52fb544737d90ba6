// Reads of memory-mapped model-file bytes through the file instead of the mapping. A weight
// packer that copies a deferred weight (ir/tensor.h) out of the mapping makes the kernel map
// each page into the process (fault-around, page-table setup), and the session then unmaps
// them again to keep peak RSS down (runtime/weight_pages.h); pread() copies the same bytes
// straight from the page cache and maps nothing. The mapping's owner (onnx::MappedFile)
// registers its descriptor here; readers that are not in a registered mapping get false.
#pragma once

#include <cstddef>

namespace ember {

// Registers [start, start + length) as file `fd` mapped from offset 0 (the fd must stay open
// until unregister_file_mapping(start)).
void register_file_mapping(const void* start, size_t length, int fd);
void unregister_file_mapping(const void* start);

// Copies [p, p + n) into `dst` with pread when it lies in one registered mapping; false (and
// nothing copied) otherwise or when the read fails, so the caller falls back to memcpy.
bool read_mapped_bytes(const void* p, size_t n, void* dst);

}  // namespace ember
