// One measured round of a scenario: a load run (gRPC or raw MariaDB) with the
// CPU of the named processes over exactly its measurement window. The
// scenarios interleave rounds of what they compare, A/B/A/B.
#pragma once

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <map>
#include <memory>
#include <string>

#include "bench/src/db_load.h"
#include "bench/src/load.h"
#include "bench/src/procstat.h"
#include "common/mysql/mysql.h"
#include "nlohmann/json.hpp"

namespace sslpanel::bench {

struct Round {
  LoadReport report;
  nlohmann::json cpu;
  double foreign_cores = 0;
  double load1 = 0;
};

nlohmann::json RoundJson(const Round& r);

// The processes whose CPU a round measures, by the name it reports.
using ProcessMap = std::map<std::string, pid_t>;

// A channel of its own, so no scenario shares a connection.
std::shared_ptr<grpc::Channel> ChannelTo(const std::string& target);

// `options` with the meter started and stopped at the measurement window.
LoadOptions WithMeter(LoadOptions options, CpuMeter* meter, const ProcessMap& processes);

// The round of `report` with what `meter` saw and the load average now.
Round Finish(LoadReport report, const CpuMeter& meter);

Round GrpcRound(const std::string& target, const std::string& method, LoadOptions options,
                const ProcessMap& processes, const RequestFn& request,
                const ResponseFn& on_response = nullptr);

Round DbRound(const mysql::MysqlConfig& config, DbOp op, LoadOptions options,
              const ProcessMap& processes, int select_rows);

}  // namespace sslpanel::bench
