// What the machine and our processes were doing during a run, from /proc:
// CPU time per process, the machine's busy CPU (so others' load shows as
// "foreign" CPU), load average and peak RSS.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>

#include "nlohmann/json.hpp"

namespace sslpanel::bench {

// utime + stime of `pid` in seconds (all threads); -1 when unreadable.
double ProcessCpuSeconds(pid_t pid);
// VmHWM (peak resident set) and VmRSS of `pid` in KiB; -1 when unreadable.
int64_t PeakRssKib(pid_t pid);
int64_t RssKib(pid_t pid);
// The 1-minute load average.
double LoadAverage1();

// Measures, between Start() and Stop(), the cores used by each named process
// and by the whole machine. "foreign" is the machine's busy time (user +
// system + interrupts, which the kernel also charges to the interrupted
// process) minus that of the named processes: load from other work on the
// shared box. Interrupt time (loopback networking) and hypervisor steal are
// also reported on their own.
class CpuMeter {
 public:
  void Start(const std::map<std::string, pid_t>& processes);
  void Stop();

  // Cores (CPU seconds per wall second) used by `name`; by all named; by the
  // machine; by others.
  double Cores(const std::string& name) const;
  double OursCores() const;
  double MachineCores() const { return machine_cores_; }
  double SoftirqCores() const { return softirq_cores_; }
  double StealCores() const { return steal_cores_; }
  double ForeignCores() const { return machine_cores_ - OursCores(); }
  double WallSeconds() const { return wall_seconds_; }
  // CPU microseconds `name` spent per unit of work (e.g. per call).
  double MicrosPer(const std::string& name, double units) const;

  nlohmann::json ToJson(double units = 0) const;

 private:
  std::map<std::string, pid_t> processes_;
  std::map<std::string, double> start_cpu_;
  std::map<std::string, double> cores_;
  double start_tasks_ = 0;
  double start_softirq_ = 0;
  double start_steal_ = 0;
  double softirq_cores_ = 0;
  double steal_cores_ = 0;
  double start_wall_ = 0;
  double machine_cores_ = 0;
  double wall_seconds_ = 0;
  double load_start_ = 0;
  double load_end_ = 0;
};

}  // namespace sslpanel::bench
