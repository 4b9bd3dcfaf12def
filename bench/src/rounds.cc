#include "bench/src/rounds.h"

#include <utility>

#include "bench/src/bench.h"
#include "bench/src/report.h"

namespace sslpanel::bench {

nlohmann::json RoundJson(const Round& r) {
  nlohmann::json out = ToJson(r.report);
  out["cpu"] = r.cpu;
  return out;
}

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& target) {
  // A channel of its own per scenario, so no scenario shares a connection.
  grpc::ChannelArguments args;
  args.SetInt("bench.channel.id", static_cast<int>(NowNs() % 1000000));
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

LoadOptions WithMeter(LoadOptions options, CpuMeter* meter, const ProcessMap& processes) {
  options.at_measure_start = [meter, processes] { meter->Start(processes); };
  options.at_measure_end = [meter] { meter->Stop(); };
  return options;
}

Round Finish(LoadReport report, const CpuMeter& meter) {
  Round round;
  round.cpu = meter.ToJson(static_cast<double>(report.ok));
  round.foreign_cores = meter.ForeignCores();
  round.load1 = LoadAverage1();
  round.report = std::move(report);
  return round;
}

Round GrpcRound(const std::string& target, const std::string& method, LoadOptions options,
                const ProcessMap& processes, const RequestFn& request,
                const ResponseFn& on_response) {
  CpuMeter meter;
  LoadReport report = RunLoad(ChannelTo(target), method, WithMeter(options, &meter, processes),
                              request, on_response);
  return Finish(std::move(report), meter);
}

Round DbRound(const mysql::MysqlConfig& config, DbOp op, LoadOptions options,
              const ProcessMap& processes, int select_rows) {
  CpuMeter meter;
  LoadReport report =
      Must(RunDbLoad(config, op, WithMeter(options, &meter, processes), select_rows), "db load");
  return Finish(std::move(report), meter);
}

}  // namespace sslpanel::bench
