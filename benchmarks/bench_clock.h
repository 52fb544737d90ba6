// Timing helpers shared by the C++ microbenchmarks. They time with the calling thread's CPU
// clock, not the wall clock: on the shared 2-core machine the wall clock mostly measures the
// scheduler (cache pollution by other processes still shows), and they report medians.
#pragma once

#include <time.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

namespace ember::bench {

// Seconds of CPU time used by the calling thread.
inline double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// The 1, 5 and 15 minute load averages, printed next to figures so noise can be judged.
inline std::string loadavg() {
  std::ifstream f("/proc/loadavg");
  std::string a, b, c;
  f >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace ember::bench
