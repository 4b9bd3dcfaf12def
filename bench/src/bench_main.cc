// sslpanel-bench: the scenarios of issue 9 against the real binaries on the
// MariaDB named by SSLPANEL_TEST_MYSQL (scripts/bench starts a private one),
// each next to its baseline in the same run, interleaved A/B/A/B, median of
// the rounds. Prints the ratios with the machine load and writes JSON.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "bench/src/db_load.h"
#include "bench/src/lifecycle.h"
#include "bench/src/load.h"
#include "bench/src/procstat.h"
#include "bench/src/report.h"
#include "bench/src/requests.h"
#include "bench/src/seed.h"
#include "common/testing/test_database.h"
#include "integration-tests/client.h"
#include "integration-tests/harness.h"
#include "integration-tests/system.h"
#include "workflow-service/src/storage/mysql_work_queue.h"

ABSL_FLAG(int, rounds, 3, "rounds of each A/B comparison (the median is reported)");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "warm-up before each measurement");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(3), "measurement window of each round");
ABSL_FLAG(int64_t, small_orders, 1000, "orders in the small table (P1, G2)");
ABSL_FLAG(int64_t, large_orders, 1000000, "orders in the large table (G2)");
ABSL_FLAG(double, g2_rate, 500, "G2: GetOrder calls per second (open loop)");
ABSL_FLAG(int, lifecycles_in_flight, 128, "P3: lifecycles kept in flight (closed loop)");
ABSL_FLAG(absl::Duration, sustain_duration, absl::Seconds(10),
          "P3: how long the open-loop run at half P2's rate lasts");
ABSL_FLAG(std::string, only, "", "run only these parts: comma list of p1,g2,claims,p2p3");
ABSL_FLAG(absl::Duration, hold, absl::ZeroDuration(),
          "after seeding, print the services' addresses and wait this long (for profiling "
          "with sslpanel-loadgen and perf by hand)");
ABSL_FLAG(std::string, baseline_workflow_bin, "",
          "another workflow-service binary (e.g. built before a change): P1 and P2 then also run "
          "against it, interleaved, and report after/before");
ABSL_FLAG(std::string, json_out, "bench-results.json", "where the JSON results go");

namespace sslpanel::bench {
namespace {

namespace integration = ::sslpanel::integration;
namespace wf = ::sslpanel::workflow::v1;
using nlohmann::json;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void Progress(const std::string& line) {
  std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::LocalTimeZone()) << line
            << std::endl;
}

// Thrown to end the run; unwinding stops every process the run started.
struct Failure {
  std::string message;
};

[[noreturn]] void Fail(const std::string& what, const absl::Status& status) {
  throw Failure{absl::StrCat(what, ": ", status.ToString())};
}

template <typename T>
T Must(absl::StatusOr<T> value, const std::string& what) {
  if (!value.ok()) {
    Fail(what, value.status());
  }
  return *std::move(value);
}

bool Enabled(const std::string& part) {
  const std::string only = absl::GetFlag(FLAGS_only);
  if (only.empty()) {
    return true;
  }
  for (absl::string_view p : absl::StrSplit(only, ',')) {
    if (p == part) {
      return true;
    }
  }
  return false;
}

// The database a service was started on, from its command line.
std::string DbNameOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string arg;
  while (std::getline(in, arg, '\0')) {
    if (arg.rfind("--db_name=", 0) == 0) {
      return arg.substr(10);
    }
  }
  return "";
}

pid_t MariadbPid(mysql::MysqlConfig config) {
  config.database = "information_schema";
  auto pool = Must(mysql::ConnectionPool::Create(config), "connect to MariaDB");
  std::string pid_file;
  (void)pool->Run("pid file", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("SELECT @@pid_file"));
    rows->next();
    pid_file = rows->getString(1);
    return absl::OkStatus();
  });
  std::ifstream in(pid_file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

struct Fresh {
  std::unique_ptr<testing::TestDatabase> db;
  mysql::MysqlConfig config;
};

Fresh FreshDatabase() {
  Fresh fresh;
  fresh.db = Must(testing::TestDatabase::Create(), "create a database");
  fresh.config = fresh.db->config();
  fresh.config.pool_size = 2;
  return fresh;
}

// A workflow service for API scenarios: its own database, no processing
// loops, so only the measured calls run.
std::unique_ptr<integration::RunningService> StartApiWorkflow(
    const std::string& name, const mysql::MysqlConfig& db,
    const std::string& binary = integration::Binaries::Workflow()) {
  if (absl::Status s = integration::Migrate(binary, db); !s.ok()) {
    Fail("migrate " + name, s);
  }
  integration::DbArgs args = integration::DbArgsFor(db);
  std::vector<std::string> flags = args.flags;
  flags.push_back(std::string("--products_file=") + SSLPANEL_SOURCE_DIR +
                  "/integration-tests/testdata/products.json");
  flags.push_back("--processing=false");
  return Must(integration::RunningService::Start(name, binary, flags,
                                                 "sslpanel.workflow.v1.WorkflowService", args.env),
              "start " + name);
}

std::shared_ptr<grpc::Channel> ChannelTo(const std::string& target) {
  // A channel of its own per scenario, so no scenario shares a connection.
  grpc::ChannelArguments args;
  args.SetInt("bench.channel.id", static_cast<int>(NowNs() % 1000000));
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

// One measured run of a scenario with the CPU of the processes over exactly
// its measurement window.
struct Round {
  LoadReport report;
  json cpu;
  double foreign_cores = 0;
  double load1 = 0;
};

json RoundJson(const Round& r) {
  json out = ToJson(r.report);
  out["cpu"] = r.cpu;
  return out;
}

using ProcessMap = std::map<std::string, pid_t>;

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
                const ResponseFn& on_response = nullptr) {
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

// Medians over rounds.
double MedianOf(const std::vector<Round>& rounds, double (*field)(const Round&)) {
  std::vector<double> values;
  for (const Round& r : rounds) {
    values.push_back(field(r));
  }
  return Median(values);
}
double Qps(const Round& r) { return r.report.qps; }
double P99(const Round& r) { return r.report.latency.p99_us; }
double P50(const Round& r) { return r.report.latency.p50_us; }

std::string Range(const std::vector<double>& values, const char* format) {
  if (values.empty()) {
    return "-";
  }
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return absl::StrCat(absl::StrFormat(format, *lo), "-", absl::StrFormat(format, *hi));
}

std::vector<double> Ratios(const std::vector<Round>& a, const std::vector<Round>& b,
                           double (*field)(const Round&)) {
  std::vector<double> out;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    out.push_back(field(b[i]) > 0 ? field(a[i]) / field(b[i]) : 0);
  }
  return out;
}

double MaxForeign(std::initializer_list<const std::vector<Round>*> sets) {
  double most = 0;
  for (const auto* set : sets) {
    for (const Round& r : *set) {
      most = std::max(most, r.foreign_cores);
    }
  }
  return most;
}

double CpuUsPerOp(const Round& r, const std::string& process) {
  const json& p = r.cpu["processes"];
  return p.contains(process) && p[process].contains("cpu_us_per_op")
             ? p[process]["cpu_us_per_op"].get<double>()
             : 0;
}

double MedianCpu(const std::vector<Round>& rounds, const std::string& process) {
  std::vector<double> values;
  for (const Round& r : rounds) {
    values.push_back(CpuUsPerOp(r, process));
  }
  return Median(values);
}

std::string CpuLine(const std::vector<Round>& rounds, const std::vector<std::string>& processes) {
  std::vector<std::string> parts;
  for (const std::string& p : processes) {
    parts.push_back(absl::StrFormat("%s %.0f", p, MedianCpu(rounds, p)));
  }
  return absl::StrCat("CPU us/op: ", absl::StrJoin(parts, ", "));
}

std::string Mark(bool met) { return met ? "MET " : "MISS"; }

// ---------------------------------------------------------------------------

struct Bench {
  int rounds;
  absl::Duration warmup;
  absl::Duration duration;
  mysql::MysqlConfig server;  // SSLPANEL_TEST_MYSQL, no database
  pid_t mariadbd = 0;
  pid_t self = getpid();
  json results;
  std::vector<std::string> summary;
  std::unique_ptr<integration::RunningService> echo;

  LoadOptions Options(const std::string& name, int concurrency, double rate = 0) const {
    LoadOptions o;
    o.name = name;
    o.concurrency = concurrency;
    o.rate = rate;
    o.warmup = warmup;
    o.duration = duration;
    return o;
  }

  void Add(const std::string& line) {
    summary.push_back(line);
    std::cout << line << std::endl;
  }
};

// Creates one DV order through the whole system and returns its database and
// id, as the template of the seeded orders.
std::pair<std::string, int64_t> TemplateOrder(integration::System& system) {
  auto created = Must(integration::Create(system.workflow(),
                                          integration::DvOrder("template", "www.template.example")),
                      "create the template order");
  Must(system.WaitFor(
           created.order_id(),
           [](const wf::Order& o) {
             return integration::CertificateIs(o, 0, wf::CERTIFICATE_STATUS_ACTIVE);
           },
           "ACTIVE"),
       "template order to ACTIVE");
  int64_t id = 0;
  (void)absl::SimpleAtoi(created.order_id(), &id);
  return {DbNameOf(system.workflow_process().process().pid()), id};
}

void CheckSeeded(const std::string& target, int64_t id) {
  auto stub = wf::WorkflowService::NewStub(ChannelTo(target));
  auto order = Must(integration::Get(*stub, absl::StrCat(id)), "GetOrder on a seeded order");
  if (!integration::CertificateIs(order, 0, wf::CERTIFICATE_STATUS_ACTIVE)) {
    Fail("seeded order", absl::InternalError(order.ShortDebugString()));
  }
}

// Writes the pages the seeding dirtied to disk before anything is measured:
// otherwise InnoDB flushes gigabytes in the background during G2. Returns
// what it saw.
json FlushDirtyPages(mysql::MysqlConfig config) {
  config.database = "information_schema";
  auto pool = Must(mysql::ConnectionPool::Create(config), "flush pool");
  auto dirty = [&] {
    int64_t pages = -1;
    (void)pool->Run("dirty pages", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      std::unique_ptr<sql::ResultSet> rows(
          stmt->executeQuery("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'"));
      if (rows->next()) {
        pages = rows->getInt64(2);
      }
      return absl::OkStatus();
    });
    return pages;
  };
  auto set_pct = [&](const std::string& value) {
    return pool->Run("dirty pct", [&](sql::Connection& conn) {
      std::unique_ptr<sql::Statement> stmt(conn.createStatement());
      stmt->execute("SET GLOBAL innodb_max_dirty_pages_pct = " + value);
      return absl::OkStatus();
    });
  };
  std::string previous = "90";
  (void)pool->Run("dirty pct", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    std::unique_ptr<sql::ResultSet> rows(
        stmt->executeQuery("SELECT @@GLOBAL.innodb_max_dirty_pages_pct"));
    if (rows->next()) {
      previous = rows->getString(1);
    }
    return absl::OkStatus();
  });
  const int64_t before = dirty();
  const absl::Time start = absl::Now();
  const absl::Status lowered = set_pct("0");
  int64_t now = before;
  while (lowered.ok() && now > 1000 && absl::Now() - start < absl::Seconds(60)) {
    absl::SleepFor(absl::Milliseconds(500));
    now = dirty();
  }
  (void)set_pct(previous);
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  Progress(absl::StrFormat("flushed dirty pages: %d -> %d in %.1f s%s", before, now, seconds,
                           lowered.ok() ? "" : " (cannot set innodb_max_dirty_pages_pct)"));
  return {{"dirty_pages_before", before}, {"dirty_pages_after", now}, {"seconds", seconds}};
}

std::vector<int64_t> ShuffledIds(int64_t count, size_t take) {
  std::mt19937_64 random(7);
  std::vector<int64_t> ids;
  if (static_cast<size_t>(count) <= take) {
    for (int64_t i = 1; i <= count; ++i) {
      ids.push_back(i);
    }
    std::shuffle(ids.begin(), ids.end(), random);
  } else {
    std::uniform_int_distribution<int64_t> pick(1, count);
    for (size_t i = 0; i < take; ++i) {
      ids.push_back(pick(random));
    }
  }
  return ids;
}

RequestFn Cycle(std::vector<grpc::ByteBuffer> requests) {
  auto shared = std::make_shared<std::vector<grpc::ByteBuffer>>(std::move(requests));
  return [shared](int64_t seq) { return (*shared)[static_cast<size_t>(seq) % shared->size()]; };
}

// P1: GetOrder@64 vs echo@64 (and a raw PK SELECT for reference), RSS.
void RunP1(Bench& b, const std::string& small_target, pid_t small_pid,
           const mysql::MysqlConfig& small_db, const mysql::MysqlConfig& raw_db, int select_rows,
           int64_t small_orders) {
  Progress("P1: GetOrder@64 vs echo@64, interleaved");
  const RequestFn echo_request = Cycle({EchoRequest(0)});
  const RequestFn get_request = Cycle(GetOrderRequests(ShuffledIds(small_orders, 100000)));
  std::vector<Round> echo, get, select, before;
  std::unique_ptr<integration::RunningService> before_wf;
  const std::string before_bin = absl::GetFlag(FLAGS_baseline_workflow_bin);
  if (!before_bin.empty()) {
    before_wf = StartApiWorkflow("workflow-before", small_db, before_bin);
  }
  for (int i = 0; i < b.rounds; ++i) {
    echo.push_back(GrpcRound(
        b.echo->target(), kEchoMethod, b.Options("echo@64", 64),
        {{"client", b.self}, {"server", b.echo->process().pid()}, {"mariadbd", b.mariadbd}},
        echo_request));
    get.push_back(GrpcRound(small_target, kGetOrderMethod, b.Options("GetOrder@64", 64),
                            {{"client", b.self}, {"server", small_pid}, {"mariadbd", b.mariadbd}},
                            get_request));
    select.push_back(DbRound(raw_db, DbOp::kPointSelect, b.Options("PK SELECT@16conn", 16),
                             {{"client", b.self}, {"mariadbd", b.mariadbd}}, select_rows));
    std::cerr << FormatTable({echo.back().report, get.back().report, select.back().report});
    if (before_wf != nullptr) {
      before.push_back(GrpcRound(
          before_wf->target(), kGetOrderMethod, b.Options("GetOrder@64 (baseline bin)", 64),
          {{"client", b.self}, {"server", before_wf->process().pid()}, {"mariadbd", b.mariadbd}},
          get_request));
      std::cerr << FormatTable({before.back().report});
    }
  }
  if (!before.empty()) {
    b.Add(absl::StrFormat(
        "     P1  GetOrder@64 this build / baseline binary = %.2f (per round %s): %.0f vs %.0f "
        "qps, "
        "p99 %.1f vs %.1f ms; baseline %s",
        MedianOf(get, Qps) / MedianOf(before, Qps), Range(Ratios(get, before, Qps), "%.2f"),
        MedianOf(get, Qps), MedianOf(before, Qps), MedianOf(get, P99) / 1000,
        MedianOf(before, P99) / 1000, CpuLine(before, {"client", "server", "mariadbd"})));
    json rounds = json::array();
    for (const Round& r : before) {
      rounds.push_back(RoundJson(r));
    }
    b.results["p1_baseline_bin"] = {{"binary", before_bin},
                                    {"rounds", rounds},
                                    {"get_order_qps", MedianOf(before, Qps)},
                                    {"get_order_p99_us", MedianOf(before, P99)}};
  }
  const int64_t hwm_kib = PeakRssKib(small_pid);
  const double qps_ratio = MedianOf(get, Qps) / MedianOf(echo, Qps);
  const double p99_ratio = MedianOf(get, P99) / MedianOf(echo, P99);
  const double foreign = MaxForeign({&echo, &get, &select});
  b.Add(absl::StrFormat(
      "%s P1  GetOrder@64 / echo@64 QPS = %.2f (target >= 0.60; per round %s): GetOrder %.0f qps "
      "p99 %.1f ms | echo %.0f qps p99 %.1f ms",
      Mark(qps_ratio >= 0.6), qps_ratio, Range(Ratios(get, echo, Qps), "%.2f"), MedianOf(get, Qps),
      MedianOf(get, P99) / 1000, MedianOf(echo, Qps), MedianOf(echo, P99) / 1000));
  b.Add(absl::StrFormat("%s P1  GetOrder p99 / echo p99 = %.2f (target <= 3)", Mark(p99_ratio <= 3),
                        p99_ratio));
  b.Add(absl::StrFormat("     P1  %s | echo %s | PK SELECT@16 %.0f qps (%s)",
                        CpuLine(get, {"client", "server", "mariadbd"}),
                        CpuLine(echo, {"client", "server"}), MedianOf(select, Qps),
                        CpuLine(select, {"client", "mariadbd"})));
  b.Add(absl::StrFormat("%s RSS workflow-service peak (VmHWM) during P1 = %.1f MiB (target <= 64)",
                        Mark(hwm_kib > 0 && hwm_kib <= 64 * 1024), hwm_kib / 1024.0));
  b.Add(absl::StrFormat("     load: loadavg %.2f, foreign CPU max %.2f cores during P1",
                        LoadAverage1(), foreign));
  json rounds = json::array();
  for (int i = 0; i < b.rounds; ++i) {
    rounds.push_back({{"echo", RoundJson(echo[i])},
                      {"get_order", RoundJson(get[i])},
                      {"pk_select", RoundJson(select[i])}});
  }
  b.results["p1"] = {{"rounds", rounds},
                     {"qps_ratio", qps_ratio},
                     {"p99_ratio", p99_ratio},
                     {"get_order_qps", MedianOf(get, Qps)},
                     {"echo_qps", MedianOf(echo, Qps)},
                     {"pk_select_qps", MedianOf(select, Qps)},
                     {"get_order_p99_us", MedianOf(get, P99)},
                     {"echo_p99_us", MedianOf(echo, P99)},
                     {"foreign_cores_max", foreign},
                     {"target_qps_ratio", 0.6},
                     {"target_p99_ratio", 3.0}};
  b.results["rss"] = {{"workflow_vmhwm_kib", hwm_kib}, {"target_kib", 64 * 1024}};
}

// G2: GetOrder p99 with the small table vs the large one, open loop.
void RunG2(Bench& b, const std::string& small_target, pid_t small_pid, int64_t small_orders,
           const std::string& large_target, pid_t large_pid, int64_t large_orders) {
  const double rate = absl::GetFlag(FLAGS_g2_rate);
  Progress(absl::StrCat("G2: GetOrder p99 at ", small_orders, " vs ", large_orders,
                        " orders, open loop ", rate, "/s, interleaved"));
  const RequestFn small_request = Cycle(GetOrderRequests(ShuffledIds(small_orders, 100000)));
  const RequestFn large_request = Cycle(GetOrderRequests(ShuffledIds(large_orders, 100000)));
  // The same number of distinct orders as the small table, in the large one:
  // separates the table's size (index depth, plans) from the working set's
  // (CPU caches, buffer pool) when uniform access over a million is slower.
  std::vector<int64_t> hot_ids = ShuffledIds(small_orders, 100000);
  for (int64_t& id : hot_ids) {
    id += large_orders / 2;
  }
  const RequestFn hot_request = Cycle(GetOrderRequests(hot_ids));
  std::vector<Round> small, large, hot;
  // A p99 from a few thousand samples moves more than a throughput: at
  // least 5 rounds.
  const int rounds = std::max(b.rounds, 5);
  for (int i = 0; i < rounds; ++i) {
    LoadOptions options = b.Options("", 256, rate);
    options.name = absl::StrCat("GetOrder ", small_orders, " orders");
    small.push_back(GrpcRound(small_target, kGetOrderMethod, options,
                              {{"client", b.self}, {"server", small_pid}, {"mariadbd", b.mariadbd}},
                              small_request));
    options.name = absl::StrCat("GetOrder ", large_orders, " orders");
    large.push_back(GrpcRound(large_target, kGetOrderMethod, options,
                              {{"client", b.self}, {"server", large_pid}, {"mariadbd", b.mariadbd}},
                              large_request));
    options.name = absl::StrCat("GetOrder ", large_orders, " orders, ", small_orders, " hot");
    hot.push_back(GrpcRound(large_target, kGetOrderMethod, options,
                            {{"client", b.self}, {"server", large_pid}, {"mariadbd", b.mariadbd}},
                            hot_request));
    std::cerr << FormatTable({small.back().report, large.back().report, hot.back().report});
  }
  const double ratio = MedianOf(large, P99) / MedianOf(small, P99);
  const double hot_ratio = MedianOf(hot, P99) / MedianOf(small, P99);
  const double foreign = MaxForeign({&small, &large, &hot});
  b.Add(absl::StrFormat(
      "%s G2  GetOrder p99 at %d orders / at %d = %.2f (target <= 1.2; per round %s): %.2f ms vs "
      "%.2f ms (p50 %.2f vs %.2f ms) @%.0f/s open loop; foreign CPU max %.2f cores",
      Mark(ratio <= 1.2), large_orders, small_orders, ratio,
      Range(Ratios(large, small, P99), "%.2f"), MedianOf(large, P99) / 1000,
      MedianOf(small, P99) / 1000, MedianOf(large, P50) / 1000, MedianOf(small, P50) / 1000, rate,
      foreign));
  b.Add(absl::StrFormat(
      "     G2  same with %d distinct orders of the %d (working set as small) = %.2f (per round "
      "%s): p99 %.2f ms; %s",
      small_orders, large_orders, hot_ratio, Range(Ratios(hot, small, P99), "%.2f"),
      MedianOf(hot, P99) / 1000, CpuLine(large, {"server", "mariadbd"})));
  json round_json = json::array();
  for (int i = 0; i < rounds; ++i) {
    round_json.push_back({{"small", RoundJson(small[i])},
                          {"large", RoundJson(large[i])},
                          {"large_hot", RoundJson(hot[i])}});
  }
  b.results["g2"] = {{"rounds", round_json},
                     {"p99_ratio", ratio},
                     {"hot_p99_ratio", hot_ratio},
                     {"small_orders", small_orders},
                     {"large_orders", large_orders},
                     {"small_p99_us", MedianOf(small, P99)},
                     {"large_p99_us", MedianOf(large, P99)},
                     {"rate", rate},
                     {"foreign_cores_max", foreign},
                     {"target_p99_ratio", 1.2}};
}

// Handler_read_* of the session, summed: the rows the storage engine read.
int64_t HandlerReads(sql::Connection& conn) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(
      stmt->executeQuery("SHOW SESSION STATUS LIKE 'Handler_read%'"));
  int64_t sum = 0;
  while (rows->next()) {
    sum += rows->getInt64(2);
  }
  return sum;
}

std::string ExplainRows(sql::Connection& conn, const std::string& query) {
  std::unique_ptr<sql::Statement> stmt(conn.createStatement());
  std::unique_ptr<sql::ResultSet> rows(stmt->executeQuery("EXPLAIN " + query));
  std::vector<std::string> parts;
  while (rows->next()) {
    parts.push_back(absl::StrCat("table=", std::string(rows->getString("table")),
                                 " type=", std::string(rows->getString("type")),
                                 " key=", std::string(rows->getString("key")),
                                 " rows=", std::string(rows->getString("rows")),
                                 " extra=", std::string(rows->getString("Extra"))));
  }
  return absl::StrJoin(parts, "; ");
}

// The processing loops' claims on the large table: rows the engine read per
// row claimed, from the session's Handler_read_* counters around each claim
// made by the real MysqlWorkQueue code on a one-connection pool.
void RunClaims(Bench& b, const mysql::MysqlConfig& large_db, int64_t large_orders) {
  Progress("claims: rows examined per row claimed on the large tables");
  mysql::MysqlConfig config = large_db;
  config.pool_size = 1;
  auto pool = Must(mysql::ConnectionPool::Create(config), "claims pool");
  const int64_t due = 200;
  const int64_t waiting = 1000;
  const int64_t base = large_orders / 2;
  json explain;
  int64_t overhead = 0;
  absl::Status prepared = pool->Run("prepare claims", [&](sql::Connection& conn) {
    std::unique_ptr<sql::Statement> stmt(conn.createStatement());
    // Due work among the million finished rows, and rows that wait (leased
    // or backing off) which a claim must not read.
    stmt->execute(absl::StrCat(
        "UPDATE outbox SET status = 'PENDING', attempts = 0, due_at = UTC_TIMESTAMP(6) -"
        " INTERVAL 1 SECOND WHERE order_id BETWEEN ",
        base + 1, " AND ", base + due));
    stmt->execute(absl::StrCat(
        "UPDATE outbox SET status = 'PENDING', due_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR"
        " WHERE order_id BETWEEN ",
        base + due + 1, " AND ", base + due + waiting));
    stmt->execute(
        absl::StrCat("UPDATE certificates SET next_poll_at = UTC_TIMESTAMP(6) - INTERVAL 1 SECOND"
                     " WHERE id BETWEEN ",
                     base + 1, " AND ", base + due));
    stmt->execute(
        absl::StrCat("UPDATE certificates SET next_poll_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR"
                     " WHERE id BETWEEN ",
                     base + due + 1, " AND ", base + due + waiting));
    const std::string now = "UTC_TIMESTAMP(6)";
    explain["claim_outbox"] =
        ExplainRows(conn, "SELECT id FROM outbox WHERE status = 'PENDING' AND due_at <= " + now +
                              " ORDER BY due_at LIMIT 8 FOR UPDATE SKIP LOCKED");
    explain["claim_polls"] =
        ExplainRows(conn, "SELECT id FROM certificates WHERE next_poll_at <= " + now +
                              " ORDER BY next_poll_at LIMIT 8 FOR UPDATE SKIP LOCKED");
    explain["expire"] = ExplainRows(conn,
                                    "SELECT DISTINCT order_id FROM certificates WHERE status ="
                                    " 'ACTIVE' AND not_after <= " +
                                        now + " LIMIT 100");
    const std::string id = absl::StrCat(base + 7);
    // The two GetOrder queries of MysqlOrderRepository::LoadMany (fewer
    // columns, same tables, joins and conditions).
    explain["get_order_chain"] =
        ExplainRows(conn,
                    "SELECT o.id, c.id, c.csr, p.id FROM orders o LEFT JOIN certificates c ON"
                    " c.order_id = o.id LEFT JOIN prevalidation_reports p ON p.id = (SELECT"
                    " MAX(r.id) FROM prevalidation_reports r WHERE r.order_id = o.id)"
                    " WHERE o.id IN (" +
                        id + ")");
    explain["get_order_events"] =
        ExplainRows(conn, "SELECT e.id, e.reason FROM order_events e WHERE e.order_id IN (" + id +
                              ") ORDER BY e.order_id, e.id");
    explain["stuck"] = ExplainRows(conn, "SELECT id FROM orders WHERE sla_deadline <= " + now +
                                             " ORDER BY sla_deadline LIMIT 100");
    // What reading the counters costs by itself.
    const int64_t a = HandlerReads(conn);
    const int64_t c = HandlerReads(conn);
    overhead = c - a;
    return absl::OkStatus();
  });
  if (!prepared.ok()) {
    Fail("prepare claims", prepared);
  }
  workflow::storage::MysqlWorkQueue queue(*pool);
  auto reads_around = [&](const std::function<int64_t()>& work, int64_t* units) {
    int64_t before = 0;
    (void)pool->Run("reads", [&](sql::Connection& conn) {
      before = HandlerReads(conn);
      return absl::OkStatus();
    });
    *units += work();
    int64_t after = 0;
    (void)pool->Run("reads", [&](sql::Connection& conn) {
      after = HandlerReads(conn);
      return absl::OkStatus();
    });
    return after - before - overhead;
  };
  json loops = json::object();
  bool all_met = true;
  std::vector<std::string> parts;
  for (int limit : {1, 8}) {
    int64_t reads = 0, claimed = 0;
    for (int i = 0; i < 10; ++i) {
      reads += reads_around(
          [&] {
            auto items = queue.ClaimOutbox(absl::Now(), limit, absl::Minutes(5), "bench-claims");
            return items.ok() ? static_cast<int64_t>(items->size()) : 0;
          },
          &claimed);
    }
    const double per_row = claimed > 0 ? static_cast<double>(reads) / claimed : -1;
    all_met = all_met && per_row >= 0 && per_row <= 2;
    loops[absl::StrCat("outbox_limit_", limit)] = {
        {"rows_read", reads}, {"rows_claimed", claimed}, {"per_row", per_row}};
    parts.push_back(absl::StrFormat("outbox(limit %d) %.2f", limit, per_row));
    reads = 0, claimed = 0;
    for (int i = 0; i < 10; ++i) {
      reads += reads_around(
          [&] {
            auto items = queue.ClaimPolls(absl::Now(), limit, absl::Minutes(5));
            return items.ok() ? static_cast<int64_t>(items->size()) : 0;
          },
          &claimed);
    }
    const double poll_per_row = claimed > 0 ? static_cast<double>(reads) / claimed : -1;
    all_met = all_met && poll_per_row >= 0 && poll_per_row <= 2;
    loops[absl::StrCat("polls_limit_", limit)] = {
        {"rows_read", reads}, {"rows_claimed", claimed}, {"per_row", poll_per_row}};
    parts.push_back(absl::StrFormat("ca-sync(limit %d) %.2f", limit, poll_per_row));
  }
  // The sweeps find nothing due here; what matters is that they read ~nothing.
  int64_t none = 0;
  const int64_t expire_reads = reads_around(
      [&] {
        (void)queue.OrdersToExpire(absl::Now(), 100);
        return 0;
      },
      &none);
  const int64_t stuck_reads = reads_around(
      [&] {
        (void)queue.StuckCandidates(absl::Now(), 100);
        return 0;
      },
      &none);
  loops["expiry_sweep_rows_read"] = expire_reads;
  loops["sla_sweep_rows_read"] = stuck_reads;
  b.Add(absl::StrFormat(
      "%s G2  processing loops, rows read per row claimed among %d orders (target <= 2): %s; "
      "idle sweeps read %d (expiry) and %d (SLA) rows",
      Mark(all_met), large_orders, absl::StrJoin(parts, ", "), expire_reads, stuck_reads));
  for (const auto& [name, plan] : explain.items()) {
    std::cerr << "EXPLAIN " << name << ": " << plan.get<std::string>() << "\n";
  }
  b.results["claims"] = {
      {"loops", loops},  {"explain", explain},      {"show_status_overhead", overhead},
      {"due_rows", due}, {"waiting_rows", waiting}, {"target_per_row", 2.0}};
}

// P3 closed loop: `in_flight` lifecycles at a time, each from CreateOrder to
// ACTIVE as seen in the database.
Round LifecycleRound(Bench& b, integration::System& system, LifecycleTracker& tracker,
                     const ProcessMap& processes, int in_flight, int round) {
  const CreateOrderRequests make(absl::StrCat("p3-", getpid(), "-", round));
  std::atomic<int64_t> seq{0};
  std::mutex errors_mu;
  std::map<std::string, int64_t> errors;
  const int64_t begin = NowNs();
  const int64_t measure = begin + absl::ToInt64Nanoseconds(b.warmup);
  const int64_t end = measure + absl::ToInt64Nanoseconds(b.duration);
  CpuMeter meter;
  std::thread timer([&] {
    std::this_thread::sleep_for(std::chrono::nanoseconds(measure - NowNs()));
    meter.Start(processes);
    std::this_thread::sleep_for(std::chrono::nanoseconds(end - NowNs()));
    meter.Stop();
  });
  auto channel = ChannelTo(system.workflow_process().target());
  auto stub = wf::WorkflowService::NewStub(channel);
  std::vector<std::thread> creators;
  for (int c = 0; c < 4; ++c) {
    creators.emplace_back([&] {
      while (NowNs() < end) {
        if (!tracker.WaitBelow(in_flight, absl::Milliseconds(100))) {
          continue;
        }
        const int64_t n = seq++;
        wf::CreateOrderRequest request;
        if (!Parse(make(n), &request)) {
          continue;
        }
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
        wf::CreateOrderResponse response;
        const int64_t sent = NowNs();
        const grpc::Status status = stub->CreateOrder(&context, request, &response);
        if (status.ok()) {
          int64_t id = 0;
          (void)absl::SimpleAtoi(response.order().order_id(), &id);
          tracker.Created(id, sent);
        } else if (sent >= measure) {
          std::lock_guard<std::mutex> lock(errors_mu);
          ++errors[StatusCodeName(status.error_code())];
        }
      }
    });
  }
  for (std::thread& t : creators) {
    t.join();
  }
  timer.join();
  LoadReport report;
  report.name = absl::StrCat("lifecycles@", in_flight);
  report.mode = "closed";
  report.concurrency = in_flight;
  report.seconds = absl::ToDoubleSeconds(b.duration);
  report.ok = tracker.FinishedBetween(measure, end);
  report.completed = report.ok;
  report.qps = static_cast<double>(report.ok) / report.seconds;
  report.errors = errors;
  // Let the lifecycles still running finish so the next round starts clean.
  const bool drained = tracker.WaitBelow(1, absl::Seconds(60));
  report.latency = Summarize(tracker.LatenciesOfCreatedBetween(measure, end));
  Round r = Finish(std::move(report), meter);
  r.cpu["drained"] = drained;
  return r;
}

// P2 (CreateOrder@16 vs raw INSERT+COMMIT@16) and P3 (lifecycles per second
// vs P2), interleaved, then an open-loop run at half P2's rate that must keep
// the backlog flat.
void RunP2P3(Bench& b, const mysql::MysqlConfig& raw_db) {
  Progress("P2/P3: starting the whole system (processing on)");
  auto system = Must(integration::System::Start({}), "start the system");
  auto fresh = FreshDatabase();
  auto create_wf = StartApiWorkflow("workflow-p2", fresh.config);
  const pid_t create_pid = create_wf->process().pid();
  const pid_t system_pid = system->workflow_process().process().pid();
  const pid_t sandbox_pid = system->sandbox().process().pid();
  mysql::MysqlConfig system_db = b.server;
  system_db.database = DbNameOf(system_pid);
  LifecycleTracker tracker(system_db);
  if (absl::Status s = tracker.Start(); !s.ok()) {
    Fail("lifecycle tracker", s);
  }
  const int in_flight = absl::GetFlag(FLAGS_lifecycles_in_flight);
  const std::string before_bin = absl::GetFlag(FLAGS_baseline_workflow_bin);
  Fresh before_db;
  std::unique_ptr<integration::RunningService> before_wf;
  if (!before_bin.empty()) {
    before_db = FreshDatabase();
    before_wf = StartApiWorkflow("workflow-p2-before", before_db.config, before_bin);
  }
  Progress("P2/P3: raw INSERT+COMMIT@16, CreateOrder@16, lifecycles, interleaved");
  std::vector<Round> raw, create, life, before;
  for (int i = 0; i < b.rounds; ++i) {
    raw.push_back(DbRound(raw_db, DbOp::kInsertCommit, b.Options("INSERT+COMMIT@16conn", 16),
                          {{"client", b.self}, {"mariadbd", b.mariadbd}}, 0));
    const CreateOrderRequests make(absl::StrCat("p2-", getpid(), "-", i));
    create.push_back(
        GrpcRound(create_wf->target(), kCreateOrderMethod, b.Options("CreateOrder@16", 16),
                  {{"client", b.self}, {"server", create_pid}, {"mariadbd", b.mariadbd}},
                  [&make](int64_t seq) { return make(seq); }));
    life.push_back(LifecycleRound(b, *system, tracker,
                                  {{"client", b.self},
                                   {"server", system_pid},
                                   {"sandbox", sandbox_pid},
                                   {"mariadbd", b.mariadbd}},
                                  in_flight, i));
    std::cerr << FormatTable({raw.back().report, create.back().report, life.back().report});
    if (before_wf != nullptr) {
      const CreateOrderRequests before_make(absl::StrCat("p2b-", getpid(), "-", i));
      before.push_back(GrpcRound(
          before_wf->target(), kCreateOrderMethod, b.Options("CreateOrder@16 (baseline bin)", 16),
          {{"client", b.self}, {"server", before_wf->process().pid()}, {"mariadbd", b.mariadbd}},
          [&before_make](int64_t seq) { return before_make(seq); }));
      std::cerr << FormatTable({before.back().report});
    }
  }
  if (!before.empty()) {
    b.Add(absl::StrFormat(
        "     P2  CreateOrder@16 this build / baseline binary = %.2f (per round %s): %.0f vs %.0f "
        "per s, p99 %.1f vs %.1f ms; baseline %s",
        MedianOf(create, Qps) / MedianOf(before, Qps), Range(Ratios(create, before, Qps), "%.2f"),
        MedianOf(create, Qps), MedianOf(before, Qps), MedianOf(create, P99) / 1000,
        MedianOf(before, P99) / 1000, CpuLine(before, {"client", "server", "mariadbd"})));
    json rounds = json::array();
    for (const Round& r : before) {
      rounds.push_back(RoundJson(r));
    }
    b.results["p2_baseline_bin"] = {{"binary", before_bin},
                                    {"rounds", rounds},
                                    {"create_order_per_s", MedianOf(before, Qps)},
                                    {"create_order_p99_us", MedianOf(before, P99)}};
  }
  const double p2_rate = MedianOf(create, Qps);
  const double p2_ratio = p2_rate / MedianOf(raw, Qps);
  const double p3_rate = MedianOf(life, Qps);
  const double p3_ratio = p3_rate / p2_rate;

  // Open loop at half P2's rate: does the pipeline keep up, backlog flat?
  // When the closed loop already showed a capacity well below that, an
  // open loop at the target rate can only pile up work (and take minutes to
  // drain); the flat-backlog check then runs at 80 % of the measured
  // capacity instead, and the target is missed on the capacity alone.
  const double target_rate = std::max(1.0, 0.5 * p2_rate);
  const bool at_target = p3_rate >= 0.9 * target_rate;
  const double rate = at_target ? target_rate : std::max(1.0, 0.8 * p3_rate);
  Progress(absl::StrFormat("P3: open loop at %.0f lifecycles/s (%s) for %s", rate,
                           at_target ? "half of P2" : "80% of the measured capacity",
                           absl::FormatDuration(absl::GetFlag(FLAGS_sustain_duration))));
  LoadOptions sustain;
  sustain.name = absl::StrFormat("lifecycles@%.0f/s", rate);
  sustain.concurrency = 512;
  sustain.rate = rate;
  sustain.warmup = absl::Seconds(2);
  sustain.duration = absl::GetFlag(FLAGS_sustain_duration);
  std::mutex sent_mu;
  std::map<int64_t, int64_t> sent_at;
  int64_t measure_from = 0;
  int64_t measure_to = 0;
  CpuMeter meter;
  const ProcessMap system_processes = {{"client", b.self},
                                       {"server", system_pid},
                                       {"sandbox", sandbox_pid},
                                       {"mariadbd", b.mariadbd}};
  sustain.at_measure_start = [&] {
    measure_from = NowNs();
    meter.Start(system_processes);
  };
  sustain.at_measure_end = [&] {
    measure_to = NowNs();
    meter.Stop();
  };
  const CreateOrderRequests make(absl::StrCat("p3s-", getpid()));
  LoadReport creates = RunLoad(
      ChannelTo(system->workflow_process().target()), kCreateOrderMethod, sustain,
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
  const std::vector<BacklogSample> samples = tracker.SamplesBetween(measure_from, measure_to);
  const int64_t finished = tracker.FinishedBetween(measure_from, measure_to);
  const bool drained = tracker.WaitBelow(1, absl::Seconds(60));
  const LatencyStats latency =
      Summarize(tracker.LatenciesOfCreatedBetween(measure_from, measure_to));
  const double seconds = static_cast<double>(measure_to - measure_from) / 1e9;
  const double finished_rate = seconds > 0 ? static_cast<double>(finished) / seconds : 0;
  std::vector<std::pair<double, double>> unfinished_points, outbox_points;
  json sample_json = json::array();
  int64_t outbox_max = 0, unfinished_max = 0;
  for (const BacklogSample& s : samples) {
    unfinished_points.emplace_back(s.t, static_cast<double>(s.unfinished));
    outbox_points.emplace_back(s.t, static_cast<double>(s.outbox_pending));
    outbox_max = std::max(outbox_max, s.outbox_pending);
    unfinished_max = std::max(unfinished_max, s.unfinished);
    sample_json.push_back(
        {{"t", s.t}, {"outbox_pending", s.outbox_pending}, {"unfinished", s.unfinished}});
  }
  const double outbox_slope = Slope(outbox_points);
  const double unfinished_slope = Slope(unfinished_points);
  // Flat: under 2 % of the arrivals pile up per second, and 95 % of the
  // offered rate comes out the other end.
  const bool flat = outbox_slope <= 0.02 * rate && unfinished_slope <= 0.02 * rate;
  const bool kept_up = finished_rate >= 0.95 * rate;
  const double foreign = std::max(MaxForeign({&raw, &create, &life}), meter.ForeignCores());

  b.Add(absl::StrFormat(
      "%s P2  CreateOrder@16 / raw INSERT+COMMIT@16 = %.2f (target >= 0.80; per round %s): %.0f "
      "vs %.0f per s (p99 %.1f vs %.1f ms)",
      Mark(p2_ratio >= 0.8), p2_ratio, Range(Ratios(create, raw, Qps), "%.2f"), p2_rate,
      MedianOf(raw, Qps), MedianOf(create, P99) / 1000, MedianOf(raw, P99) / 1000));
  b.Add(absl::StrFormat("     P2  %s | raw %s", CpuLine(create, {"client", "server", "mariadbd"}),
                        CpuLine(raw, {"client", "mariadbd"})));
  b.Add(absl::StrFormat(
      "%s P3  lifecycles/s (closed loop @%d) / P2 = %.2f (target >= 0.50; per round %s): %.0f "
      "vs %.0f per s, create->ACTIVE p50 %.0f ms p99 %.0f ms",
      Mark(p3_ratio >= 0.5), in_flight, p3_ratio, Range(Ratios(life, create, Qps), "%.2f"), p3_rate,
      p2_rate, MedianOf(life, P50) / 1000, MedianOf(life, P99) / 1000));
  b.Add(absl::StrFormat("     P3  %s", CpuLine(life, {"client", "server", "sandbox", "mariadbd"})));
  b.Add(absl::StrFormat(
      "%s P3  open loop at %s (%.0f/s): %.0f ACTIVE/s, outbox backlog slope %+.1f/s (max %d), "
      "unfinished slope %+.1f/s (max %d), create->ACTIVE p50 %.0f ms p99 %.0f ms%s",
      at_target ? Mark(flat && kept_up) : (flat && kept_up ? "FLAT" : "MISS"),
      at_target ? "half P2"
                : absl::StrFormat("80%% of capacity; half P2 = %.0f/s is above it", target_rate),
      rate, finished_rate, outbox_slope, outbox_max, unfinished_slope, unfinished_max,
      latency.p50_us / 1000, latency.p99_us / 1000,
      creates.not_sent > 0 ? absl::StrCat(" (", creates.not_sent, " not sent)") : ""));
  b.Add(absl::StrFormat("     load: loadavg %.2f, foreign CPU max %.2f cores during P2/P3",
                        LoadAverage1(), foreign));
  json rounds = json::array();
  for (int i = 0; i < b.rounds; ++i) {
    rounds.push_back({{"raw_insert_commit", RoundJson(raw[i])},
                      {"create_order", RoundJson(create[i])},
                      {"lifecycles", RoundJson(life[i])}});
  }
  b.results["p2"] = {{"ratio", p2_ratio},
                     {"create_order_per_s", p2_rate},
                     {"raw_insert_commit_per_s", MedianOf(raw, Qps)},
                     {"target_ratio", 0.8}};
  b.results["p3"] = {{"ratio", p3_ratio},
                     {"lifecycles_per_s", p3_rate},
                     {"in_flight", in_flight},
                     {"target_ratio", 0.5},
                     {"sustain",
                      {{"offered_per_s", rate},
                       {"target_rate_per_s", target_rate},
                       {"at_target_rate", at_target},
                       {"active_per_s", finished_rate},
                       {"creates", ToJson(creates)},
                       {"lifecycle_latency", ToJson(latency)},
                       {"outbox_slope_per_s", outbox_slope},
                       {"unfinished_slope_per_s", unfinished_slope},
                       {"flat", flat},
                       {"kept_up", kept_up},
                       {"drained", drained},
                       {"cpu", meter.ToJson(static_cast<double>(finished))},
                       {"samples", sample_json}}}};
  b.results["p2p3_rounds"] = rounds;
  b.results["p2p3_foreign_cores_max"] = foreign;
  tracker.Stop();
}

int Main() {
  Bench b;
  b.rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  b.warmup = absl::GetFlag(FLAGS_warmup);
  b.duration = absl::GetFlag(FLAGS_duration);
  b.server = Must(testing::TestServerConfig(), "SSLPANEL_TEST_MYSQL");
  b.mariadbd = MariadbPid(b.server);
  const int64_t small_orders = absl::GetFlag(FLAGS_small_orders);
  const int64_t large_orders = absl::GetFlag(FLAGS_large_orders);
  const int select_rows = 100000;

  {
    // The machine before anything starts.
    CpuMeter idle;
    idle.Start({{"self", b.self}});
    std::this_thread::sleep_for(std::chrono::seconds(1));
    idle.Stop();
    b.results["machine"] = {{"cores", static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN))},
                            {"loadavg_1m_at_start", LoadAverage1()},
                            {"busy_cores_before_start", idle.MachineCores()}};
    b.Add(absl::StrFormat("machine: %d cores, loadavg %.2f, %.2f cores busy before the run",
                          static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN)), LoadAverage1(),
                          idle.MachineCores()));
  }

  b.echo = Must(integration::RunningService::Start("echo", SSLPANEL_BENCH_ECHO_BIN, {},
                                                   "sslpanel.bench.v1.EchoService"),
                "start the echo server");
  Fresh raw = FreshDatabase();
  if (absl::Status s = PrepareDbBaseline(raw.config, select_rows); !s.ok()) {
    Fail("prepare the baseline tables", s);
  }

  const bool need_seed = Enabled("p1") || Enabled("g2") || Enabled("claims");
  Fresh small_db = FreshDatabase();
  Fresh large_db = FreshDatabase();
  if (need_seed) {
    Progress("making a template order through the whole system");
    auto system = Must(integration::System::Start({}), "start the system");
    const auto [source_db, template_id] = TemplateOrder(*system);
    for (Fresh* db : {&small_db, &large_db}) {
      if (absl::Status s = integration::Migrate(integration::Binaries::Workflow(), db->config);
          !s.ok()) {
        Fail("migrate", s);
      }
    }
    const absl::Time t0 = absl::Now();
    if (absl::Status s = CloneOrders(small_db.config, source_db, template_id, small_orders);
        !s.ok()) {
      Fail("seed small", s);
    }
    const int64_t large = Enabled("g2") || Enabled("claims") ? large_orders : 1;
    Progress(absl::StrCat("seeding ", large, " orders"));
    const absl::Time t1 = absl::Now();
    if (absl::Status s = CloneOrders(large_db.config, source_db, template_id, large); !s.ok()) {
      Fail("seed large", s);
    }
    const absl::Duration seed_time = absl::Now() - t1;
    b.results["seed_flush"] = FlushDirtyPages(b.server);
    const TableSizes small_size = Must(SizeOf(small_db.config), "size");
    const TableSizes large_size = Must(SizeOf(large_db.config), "size");
    b.results["seed"] = {{"small_orders", small_size.orders},
                         {"small_bytes", small_size.bytes},
                         {"large_orders", large_size.orders},
                         {"large_bytes", large_size.bytes},
                         {"large_seconds", absl::ToDoubleSeconds(seed_time)},
                         {"small_seconds", absl::ToDoubleSeconds(t1 - t0)}};
    b.Add(absl::StrFormat(
        "seed: %d orders (%.0f MiB with indexes) in %.1f s from one real DV order",
        large_size.orders, large_size.bytes / 1048576.0, absl::ToDoubleSeconds(seed_time)));
  }
  auto small_wf = StartApiWorkflow("workflow-small", small_db.config);
  auto large_wf = StartApiWorkflow("workflow-large", large_db.config);
  if (need_seed) {
    CheckSeeded(small_wf->target(), small_orders);
    CheckSeeded(large_wf->target(), 1);
  }
  if (absl::GetFlag(FLAGS_hold) > absl::ZeroDuration()) {
    Progress(absl::StrCat("holding: small ", small_wf->target(), " pid ", small_wf->process().pid(),
                          ", large ", large_wf->target(), " pid ", large_wf->process().pid(),
                          ", echo ", b.echo->target(), " pid ", b.echo->process().pid()));
    absl::SleepFor(absl::GetFlag(FLAGS_hold));
  }
  if (Enabled("p1")) {
    RunP1(b, small_wf->target(), small_wf->process().pid(), small_db.config, raw.config,
          select_rows, small_orders);
  }
  if (Enabled("g2")) {
    RunG2(b, small_wf->target(), small_wf->process().pid(), small_orders, large_wf->target(),
          large_wf->process().pid(), large_orders);
  }
  if (Enabled("claims")) {
    RunClaims(b, large_db.config, large_orders);
  }
  small_wf.reset();
  large_wf.reset();
  if (Enabled("p2p3")) {
    RunP2P3(b, raw.config);
  }

  b.results["summary"] = b.summary;
  b.results["settings"] = {{"rounds", b.rounds},
                           {"warmup_s", absl::ToDoubleSeconds(b.warmup)},
                           {"duration_s", absl::ToDoubleSeconds(b.duration)}};
  b.results["machine"]["loadavg_1m_at_end"] = LoadAverage1();
  const std::string out_path = absl::GetFlag(FLAGS_json_out);
  std::ofstream out(out_path);
  out << b.results.dump(2) << "\n";
  Progress(out ? "JSON written to " + out_path : "cannot write " + out_path);
  return out ? 0 : 1;
}

}  // namespace
}  // namespace sslpanel::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "sslpanel-bench [--rounds=3] [--only=p1,g2,claims,p2p3] [--json_out=FILE] ...; needs "
      "SSLPANEL_TEST_MYSQL=user:password@host:port (scripts/bench sets it). Flags: "
      "--help=bench_main");
  absl::ParseCommandLine(argc, argv);
  try {
    return sslpanel::bench::Main();
  } catch (const sslpanel::bench::Failure& failure) {
    std::cerr << "sslpanel-bench: " << failure.message << std::endl;
    return 1;
  }
}
