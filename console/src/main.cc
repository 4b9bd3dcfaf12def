// console: wiring only. Reads flags, builds the workflow API client, serves
// the read-only HTML console on --listen (loopback by default) until SIGTERM
// or SIGINT.
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/grpc/tls.h"
#include "common/log/log.h"
#include "console/src/grpc/workflow_client.h"
#include "console/src/http/console_server.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "host:port to serve HTTP on; port 0 picks a free port. The console has no login: "
          "keep it on loopback or behind an authenticating proxy");
ABSL_FLAG(std::string, workflow_address, "127.0.0.1:50051",
          "host:port of sslpanel.workflow.v1.WorkflowService");
ABSL_FLAG(std::string, workflow_tls_ca_file, "",
          "CA the workflow service's certificate must chain to; unset: plaintext");
ABSL_FLAG(std::string, workflow_tls_cert_file, "",
          "the console's client certificate (its identity for mutual TLS)");
ABSL_FLAG(std::string, workflow_tls_key_file, "", "private key of --workflow_tls_cert_file");
ABSL_FLAG(absl::Duration, call_timeout, absl::Seconds(5), "deadline of each workflow API call");
ABSL_FLAG(std::string, port_file, "", "write the bound port to this file once serving");
ABSL_FLAG(std::string, log_level, "info", "lowest log level written: debug, info, warning, error");

namespace {

namespace log = sslpanel::log;

struct Listen {
  std::string host;
  int port = 0;
};

// "host:port" with a numeric port; names the flag when it is not.
absl::StatusOr<Listen> ParseListen(const std::string& text) {
  const size_t colon = text.rfind(':');
  Listen listen;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(text.substr(colon + 1), &listen.port) || listen.port < 0 ||
      listen.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen: \"", text, "\" is not host:port (e.g. 127.0.0.1:8080)"));
  }
  listen.host = text.substr(0, colon);
  return listen;
}

absl::Status WritePortFile(const std::string& path, int port) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out) {
      return absl::InternalError(absl::StrCat("cannot write ", tmp));
    }
  }
  // Renamed into place so a reader never sees a half-written number.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write port file ", path));
  }
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Read-only HTML console of the SSL Panel workflow API.\n"
      "Usage: console [--listen=127.0.0.1:8080] [--workflow_address=127.0.0.1:50051]");
  absl::FlagsUsageConfig usage;
  // --help lists this binary's own flags, not every flag linked in.
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "console/src/main.cc");
  };
  usage.contains_helpshort_flags = usage.contains_help_flags;
  absl::SetFlagsUsageConfig(usage);

  // Blocked before any thread starts, so only sigwait below receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::ParseCommandLine(argc, argv);
  log::Level level = log::Level::kInfo;
  if (!log::ParseLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    log::Error("bad configuration", {{"error", "--log_level: use debug, info, warning or error"}});
    return 2;
  }
  log::Configure("console", level);
  absl::StatusOr<Listen> listen = ParseListen(absl::GetFlag(FLAGS_listen));
  sslpanel::grpc_util::ChannelTls tls{absl::GetFlag(FLAGS_workflow_tls_ca_file),
                                      absl::GetFlag(FLAGS_workflow_tls_cert_file),
                                      absl::GetFlag(FLAGS_workflow_tls_key_file)};
  absl::Status tls_valid = tls.Validate("--workflow_tls");
  const absl::Duration timeout = absl::GetFlag(FLAGS_call_timeout);
  if (!listen.ok() || !tls_valid.ok() || timeout <= absl::ZeroDuration()) {
    log::Error("bad configuration",
               {{"error", !listen.ok() ? listen.status()
                          : !tls_valid.ok()
                              ? tls_valid
                              : absl::InvalidArgumentError("--call_timeout: must be positive")}});
    return 2;
  }

  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_workflow_address),
                                     sslpanel::grpc_util::ChannelCredentialsFor(tls));
  sslpanel::console::grpc_glue::WorkflowClient workflow(
      sslpanel::workflow::v1::WorkflowService::NewStub(channel), timeout);
  sslpanel::console::http::ConsoleServer server(workflow);
  absl::StatusOr<int> port = server.Bind(listen->host, listen->port);
  if (!port.ok()) {
    log::Error("cannot serve", {{"error", port.status()}});
    return 1;
  }
  std::thread serving([&server] { server.Serve(); });
  if (const std::string path = absl::GetFlag(FLAGS_port_file); !path.empty()) {
    if (absl::Status written = WritePortFile(path, *port); !written.ok()) {
      log::Error("cannot serve", {{"error", written}});
      server.Stop();
      serving.join();
      return 1;
    }
  }
  log::Info("serving", {{"url", absl::StrCat("http://", listen->host, ":", *port, "/orders")},
                        {"workflow_address", absl::GetFlag(FLAGS_workflow_address)}});

  int received = 0;
  sigwait(&signals, &received);
  log::Info("stopping", {{"signal", received}});
  server.Stop();
  serving.join();
  return 0;
}
