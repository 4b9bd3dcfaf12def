#include "bench/src/procstat.h"

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <vector>

namespace sslpanel::bench {
namespace {

double Ticks() { return static_cast<double>(sysconf(_SC_CLK_TCK)); }

double WallNow() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct MachineCpu {
  double tasks = 0;    // user + nice + system: time in processes
  double softirq = 0;  // irq + softirq: mostly loopback networking here
  double steal = 0;    // taken by the hypervisor for other guests
};

// CPU seconds of the whole machine (all cores), from /proc/stat.
MachineCpu MachineSeconds() {
  std::ifstream in("/proc/stat");
  std::string label;
  in >> label;
  std::vector<double> fields;
  double v = 0;
  while (fields.size() < 8 && in >> v) {
    fields.push_back(v);
  }
  MachineCpu cpu;
  if (fields.size() < 8) {
    return cpu;
  }
  // user nice system idle iowait irq softirq steal
  cpu.tasks = (fields[0] + fields[1] + fields[2]) / Ticks();
  cpu.softirq = (fields[5] + fields[6]) / Ticks();
  cpu.steal = fields[7] / Ticks();
  return cpu;
}

int64_t StatusField(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) {
      std::istringstream fields(line.substr(key.size() + 1));
      int64_t kib = -1;
      fields >> kib;
      return kib;
    }
  }
  return -1;
}

}  // namespace

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The command name may hold spaces; fields resume after its closing ')'.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) {
    return -1;
  }
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double utime = 0;
  double stime = 0;
  // After ')': state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) {
      utime = std::stod(field);
    } else if (i == 15) {
      stime = std::stod(field);
    }
  }
  return (utime + stime) / Ticks();
}

int64_t PeakRssKib(pid_t pid) { return StatusField(pid, "VmHWM"); }
int64_t RssKib(pid_t pid) { return StatusField(pid, "VmRSS"); }

double LoadAverage1() {
  std::ifstream in("/proc/loadavg");
  double load = -1;
  in >> load;
  return load;
}

void CpuMeter::Start(const std::map<std::string, pid_t>& processes) {
  processes_ = processes;
  start_cpu_.clear();
  cores_.clear();
  load_start_ = LoadAverage1();
  for (const auto& [name, pid] : processes_) {
    start_cpu_[name] = ProcessCpuSeconds(pid);
  }
  const MachineCpu machine = MachineSeconds();
  start_tasks_ = machine.tasks;
  start_softirq_ = machine.softirq;
  start_steal_ = machine.steal;
  start_wall_ = WallNow();
}

void CpuMeter::Stop() {
  wall_seconds_ = WallNow() - start_wall_;
  const MachineCpu machine = MachineSeconds();
  if (wall_seconds_ > 0) {
    // Interrupt time is charged to the task it interrupted as well (this
    // kernel has no separate IRQ time accounting): busy = tasks + softirq.
    machine_cores_ =
        (machine.tasks - start_tasks_ + machine.softirq - start_softirq_) / wall_seconds_;
    softirq_cores_ = (machine.softirq - start_softirq_) / wall_seconds_;
    steal_cores_ = (machine.steal - start_steal_) / wall_seconds_;
  }
  for (const auto& [name, pid] : processes_) {
    const double used = ProcessCpuSeconds(pid) - start_cpu_[name];
    cores_[name] = wall_seconds_ > 0 && used >= 0 ? used / wall_seconds_ : 0;
  }
  load_end_ = LoadAverage1();
}

double CpuMeter::Cores(const std::string& name) const {
  auto it = cores_.find(name);
  return it == cores_.end() ? 0 : it->second;
}

double CpuMeter::OursCores() const {
  double sum = 0;
  for (const auto& [name, cores] : cores_) {
    sum += cores;
  }
  return sum;
}

double CpuMeter::MicrosPer(const std::string& name, double units) const {
  return units > 0 ? Cores(name) * wall_seconds_ * 1e6 / units : 0;
}

nlohmann::json CpuMeter::ToJson(double units) const {
  nlohmann::json out = {{"wall_seconds", wall_seconds_},   {"machine_cores", machine_cores_},
                        {"ours_cores", OursCores()},       {"foreign_cores", ForeignCores()},
                        {"softirq_cores", softirq_cores_}, {"steal_cores", steal_cores_},
                        {"loadavg_1m_start", load_start_}, {"loadavg_1m_end", load_end_}};
  nlohmann::json per = nlohmann::json::object();
  for (const auto& [name, cores] : cores_) {
    per[name] = {{"cores", cores}};
    if (units > 0) {
      per[name]["cpu_us_per_op"] = MicrosPer(name, units);
    }
  }
  out["processes"] = per;
  return out;
}

}  // namespace sslpanel::bench
