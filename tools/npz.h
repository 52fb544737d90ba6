// Forwarding header: the .npz reader lives in tools/npz_archive.h (cmd_verify.cc includes this name).
#pragma once

#include "tools/npz_archive.h"
