#include "runtime/profiler.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "runtime/flops.h"
#include "runtime/plan.h"
#include "support/error.h"

namespace ember::runtime {

namespace {

void append_json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

void append_number(std::string& out, const char* fmt, double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, fmt, v);
  out += buf;
}

// Microseconds with nanosecond precision, as Chrome's "ts" and "dur" expect.
void append_us(std::string& out, int64_t ns) { append_number(out, "%.3f", double(ns) / 1000.0); }

void append_shapes(std::string& out, const std::vector<std::optional<Dims>>& shapes) {
  out += '[';
  for (size_t i = 0; i < shapes.size(); ++i) {
    if (i) out += ',';
    if (!shapes[i]) {
      out += "null";
      continue;
    }
    out += '[';
    for (size_t d = 0; d < shapes[i]->size(); ++d) {
      if (d) out += ',';
      out += std::to_string((*shapes[i])[d]);
    }
    out += ']';
  }
  out += ']';
}

// The start of a complete ("X") event, up to and including its "tid".
void append_event_head(std::string& out, const std::string& name, const std::string& cat, int64_t start_ns,
                       int64_t dur_ns, uint32_t thread) {
  out += "{\"name\":";
  append_json_string(out, name);
  out += ",\"cat\":";
  append_json_string(out, cat);
  out += ",\"ph\":\"X\",\"ts\":";
  append_us(out, start_ns);
  out += ",\"dur\":";
  append_us(out, dur_ns);
  out += ",\"pid\":1,\"tid\":" + std::to_string(thread);
}

// A name no other flush (of any profiler in this process) uses at the same time.
std::string temporary_name(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp" + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
}

std::string op_label(const ir::Node& n) {
  return n.domain.empty() || n.domain == "ai.onnx" ? n.op_type : n.domain + "." + n.op_type;
}

}  // namespace

Profiler::Profiler(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  // Fail now, naming the path, rather than after the last run.
  const std::string probe = temporary_name(path_);
  std::FILE* f = std::fopen(probe.c_str(), "wb");
  EMBER_CHECK(f != nullptr, Io, "option 'profile': cannot write '", path_, "': ", std::strerror(errno));
  std::fclose(f);
  std::remove(probe.c_str());
}

Profiler::~Profiler() {
  if (!planned_) return;
  try {
    flush();
  } catch (const std::exception& e) {
    std::cerr << "ember: the profile was not written: " << e.what() << "\n";
  }
}

void Profiler::set_plan(const Plan& plan) {
  std::lock_guard<std::mutex> lk(mu_);
  info_.clear();
  for (const Step& s : plan.steps()) {
    StepInfo i;
    i.name = s.node->name.empty() ? op_label(*s.node) : s.node->name;
    i.op = op_label(*s.node);
    i.kernel = s.kernel ? s.kernel->name() : "";
    i.fused_from = s.node->fused_from;
    i.node = s.node;
    info_.push_back(std::move(i));
  }
  totals_.assign(info_.size(), StepTotal{});
  planned_ = true;
}

uint32_t Profiler::thread_id() {
  static std::atomic<uint32_t> next{1};
  thread_local const uint32_t id = next.fetch_add(1);
  return id;
}

void Profiler::add_phase(const std::string& name, Clock::time_point start) {
  const Clock::time_point end = Clock::now();
  std::lock_guard<std::mutex> lk(mu_);
  ++version_;
  phases_.push_back(Phase{name, "session", thread_id(), since_start_ns(start), since_start_ns(end) - since_start_ns(start)});
}

void Profiler::add_run(Clock::time_point start, Clock::time_point end, std::vector<StepRecord> steps) {
  // info_ is fixed once runs start, so the flops can be computed before taking the lock.
  for (StepRecord& r : steps)
    if (r.step < info_.size()) r.flops = node_flops_for_shapes(*info_[r.step].node, r.inputs, r.outputs);
  const int64_t start_ns = since_start_ns(start), dur_ns = since_start_ns(end) - start_ns;
  std::lock_guard<std::mutex> lk(mu_);
  phases_.push_back(Phase{"run " + std::to_string(runs_), "run", thread_id(), start_ns, dur_ns});
  ++runs_;
  ++version_;
  run_ns_ += dur_ns;
  for (StepRecord& r : steps) {
    if (r.step >= totals_.size()) continue;
    StepTotal& t = totals_[r.step];
    ++t.calls;
    t.total_ns += r.dur_ns;
    t.flops += r.flops;
    if (events_.size() < kMaxTraceEvents) events_.push_back(std::move(r));
    else ++dropped_;
  }
}

std::string Profiler::trace_json() const {
  std::lock_guard<std::mutex> lk(mu_);
  std::string out;
  out.reserve(256 + events_.size() * 256);
  out += "{\"traceEvents\":[\n";
  out += "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"ember\"}}";
  for (const Phase& p : phases_) {
    out += ",\n";
    append_event_head(out, p.name, p.cat, p.start_ns, p.dur_ns, p.thread);
    out += '}';
  }
  for (const StepRecord& r : events_) {
    const StepInfo& i = info_[r.step];
    out += ",\n";
    append_event_head(out, i.name, i.op, r.start_ns, r.dur_ns, r.thread);
    out += ",\"args\":{\"op\":";
    append_json_string(out, i.op);
    out += ",\"kernel\":";
    append_json_string(out, i.kernel);
    out += ",\"input_shapes\":";
    append_shapes(out, r.inputs);
    out += ",\"output_shapes\":";
    append_shapes(out, r.outputs);
    if (!i.fused_from.empty()) {
      out += ",\"fused_from\":[";
      for (size_t k = 0; k < i.fused_from.size(); ++k) {
        if (k) out += ',';
        append_json_string(out, i.fused_from[k]);
      }
      out += ']';
    }
    out += ",\"flops\":";
    append_number(out, "%.0f", r.flops);
    out += ",\"gflops_per_s\":";
    append_number(out, "%.3f", r.dur_ns > 0 ? r.flops / double(r.dur_ns) : 0.0);
    out += "}}";
  }
  out += "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"producer\":\"ember\",\"runs\":" + std::to_string(runs_) +
         ",\"dropped_step_events\":" + std::to_string(dropped_) + "}}\n";
  return out;
}

void Profiler::flush() const {
  if (path_.empty()) return;
  std::lock_guard<std::mutex> write_lock(write_mu_);  // one writer; the newest snapshot wins
  int64_t version = 0;
  {
    std::lock_guard<std::mutex> lk(mu_);
    version = version_;
  }
  if (version == written_version_) return;
  const std::string text = trace_json();
  const std::string tmp = temporary_name(path_);
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    EMBER_CHECK(f.good(), Io, "cannot write the profile '", tmp, "': ", std::strerror(errno));
    f.write(text.data(), std::streamsize(text.size()));
    f.close();
    if (!f.good()) {
      std::remove(tmp.c_str());
      fail(Status::Io, "cannot write the profile '", tmp, "' (disk full?)");
    }
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    fail(Status::Io, "cannot rename the profile to '", path_, "': ", std::strerror(e));
  }
  written_version_ = version;
}

std::vector<ProfileTotal> Profiler::totals_by_node() const {
  std::lock_guard<std::mutex> lk(mu_);
  std::vector<ProfileTotal> rows;
  for (size_t k = 0; k < totals_.size(); ++k) {
    if (totals_[k].calls == 0) continue;
    rows.push_back(ProfileTotal{info_[k].name, info_[k].op, info_[k].kernel, totals_[k].calls, totals_[k].total_ns,
                                totals_[k].flops});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  return rows;
}

std::vector<ProfileTotal> Profiler::totals_by_op() const {
  std::map<std::string, ProfileTotal> by_op;
  std::map<std::string, std::set<std::string>> kernels;
  for (const ProfileTotal& n : totals_by_node()) {
    ProfileTotal& t = by_op[n.op];
    t.name = t.op = n.op;
    t.calls += n.calls;
    t.total_ns += n.total_ns;
    t.flops += n.flops;
    kernels[n.op].insert(n.kernel);
  }
  std::vector<ProfileTotal> rows;
  for (auto& [op, t] : by_op) {
    for (const std::string& k : kernels[op]) t.kernel += (t.kernel.empty() ? "" : "/") + k;
    rows.push_back(std::move(t));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.total_ns > b.total_ns; });
  return rows;
}

int64_t Profiler::runs() const {
  std::lock_guard<std::mutex> lk(mu_);
  return runs_;
}

int64_t Profiler::run_ns() const {
  std::lock_guard<std::mutex> lk(mu_);
  return run_ns_;
}

int64_t Profiler::dropped_events() const {
  std::lock_guard<std::mutex> lk(mu_);
  return dropped_;
}

}  // namespace ember::runtime
