#include "bench/src/sustain.h"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/src/procstat.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "bench/src/rounds.h"
#include "bench/src/summary.h"

namespace sslpanel::bench {

using nlohmann::json;

SustainResult Sustain(Bench& b, integration::System& system, LifecycleTracker& tracker, double rate,
                      const std::string& tag) {
  const pid_t system_pid = system.workflow_process().process().pid();
  const pid_t sandbox_pid = system.sandbox().process().pid();
  LoadOptions sustain;
  sustain.name = absl::StrFormat("lifecycles@%.0f/s", rate);
  sustain.concurrency = 512;
  sustain.rate = rate;
  sustain.warmup = absl::Seconds(2);
  sustain.duration = b.sustain_duration;
  std::mutex sent_mu;
  std::map<int64_t, int64_t> sent_at;
  int64_t measure_from = 0;
  int64_t measure_to = 0;
  CpuMeter meter;
  const ProcessMap processes = {{"client", b.self},
                                {"server", system_pid},
                                {"sandbox", sandbox_pid},
                                {"mariadbd", b.mariadbd}};
  sustain.at_measure_start = [&] {
    measure_from = NowNs();
    meter.Start(processes);
  };
  sustain.at_measure_end = [&] {
    measure_to = NowNs();
    meter.Stop();
  };
  const CreateOrderRequests make(absl::StrCat("p3s-", tag, "-", getpid()));
  LoadReport creates = RunLoad(
      ChannelTo(system.workflow_process().target()), kCreateOrderMethod, sustain,
      [&](int64_t seq) {
        std::lock_guard<std::mutex> lock(sent_mu);
        sent_at[seq] = NowNs();
        return make(seq);
      },
      [&](int64_t seq, const grpc::Status& status, const grpc::ByteBuffer& response) {
        if (!status.ok()) {
          return;
        }
        int64_t sent = 0;
        {
          std::lock_guard<std::mutex> lock(sent_mu);
          sent = sent_at[seq];
        }
        tracker.Created(CreatedOrderId(response), sent);
      });
  SustainResult r;
  r.rate = rate;
  const std::vector<BacklogSample> samples = tracker.SamplesBetween(measure_from, measure_to);
  const int64_t finished = tracker.FinishedBetween(measure_from, measure_to);
  r.drained = tracker.WaitBelow(1, absl::Seconds(60));
  const LatencyStats latency =
      Summarize(tracker.LatenciesOfCreatedBetween(measure_from, measure_to));
  const double seconds = static_cast<double>(measure_to - measure_from) / 1e9;
  r.active_per_s = seconds > 0 ? static_cast<double>(finished) / seconds : 0;
  std::vector<std::pair<double, double>> unfinished_points, outbox_points;
  json sample_json = json::array();
  for (const BacklogSample& s : samples) {
    unfinished_points.emplace_back(s.t, static_cast<double>(s.unfinished));
    outbox_points.emplace_back(s.t, static_cast<double>(s.outbox_pending));
    r.outbox_max = std::max(r.outbox_max, s.outbox_pending);
    r.unfinished_max = std::max(r.unfinished_max, s.unfinished);
    sample_json.push_back(
        {{"t", s.t}, {"outbox_pending", s.outbox_pending}, {"unfinished", s.unfinished}});
  }
  r.outbox_slope = Slope(outbox_points);
  r.unfinished_slope = Slope(unfinished_points);
  // Flat: under 2 % of the arrivals pile up per second, and 95 % of the
  // offered rate comes out the other end.
  r.flat = r.outbox_slope <= 0.02 * rate && r.unfinished_slope <= 0.02 * rate;
  r.kept_up = r.active_per_s >= 0.95 * rate;
  r.not_sent = creates.not_sent;
  r.foreign_cores = meter.ForeignCores();
  const double units = static_cast<double>(finished);
  r.server_us = meter.MicrosPer("server", units);
  r.sandbox_us = meter.MicrosPer("sandbox", units);
  r.mariadbd_us = meter.MicrosPer("mariadbd", units);
  r.json = {{"offered_per_s", rate},
            {"active_per_s", r.active_per_s},
            {"creates", ToJson(creates)},
            {"lifecycle_latency", ToJson(latency)},
            {"outbox_slope_per_s", r.outbox_slope},
            {"unfinished_slope_per_s", r.unfinished_slope},
            {"flat", r.flat},
            {"kept_up", r.kept_up},
            {"drained", r.drained},
            {"cpu", meter.ToJson(units)},
            {"samples", sample_json}};
  r.json["p50_ms"] = latency.p50_us / 1000;
  r.json["p99_ms"] = latency.p99_us / 1000;
  return r;
}

}  // namespace sslpanel::bench
