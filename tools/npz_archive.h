// Reading NumPy .npz archives (a zip of .npy members: np.savez stores them, np.savez_compressed
// deflates them) and
// directories of them as feed sets for `ember quantize` (--calibration DIR, --eval DIR).
#pragma once

#include <map>
#include <string>

#include "ir/tensor.h"
#include "opt/quantize/feed_set.h"

namespace ember::cli {

// The arrays of an .npz file by name (without ".npy"). Io when it cannot be
// read; InvalidArgument for a malformed archive (naming the member); Unsupported for a zip
// compression method other than stored or deflate.
std::map<std::string, Tensor> read_npz(const std::string& path);

// Every *.npz file of `dir` (sorted by name) as one feed each, read when needed. InvalidArgument
// naming `what` ("calibration", "evaluation") when the directory is missing or has none.
opt::quantize::FeedSet npz_directory_feeds(const std::string& dir, const std::string& what);

}  // namespace ember::cli
