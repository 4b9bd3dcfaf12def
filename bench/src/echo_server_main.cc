// bench-echo-server: the bare callback-API echo server, as a process of its
// own like the services it is compared with. Serves until SIGTERM/SIGINT.
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "bench/src/echo_server.h"
#include "bench/src/floor_server.h"
#include "common/config/command_line.h"
#include "common/grpc/server.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to listen on (port 0: any free port)");
ABSL_FLAG(std::string, floor_spec, "",
          "JSON file of the GetOrder/CreateOrder floors to serve besides the echo "
          "(bench/src/floor_server.h; sslpanel-bench writes it)");
ABSL_FLAG(std::string, port_file, "", "file to write the bound port to once serving");

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  // As ServerHost::Start does for the services (see there).
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  sslpanel::config::ParseCommandLine(
      argc, argv,
      "bench-echo-server [--listen=host:port] [--port_file=FILE] [--floor_spec=FILE]: the bare "
      "echo, and the floors");
  std::unique_ptr<grpc::CallbackGenericService> floor;
  if (const std::string spec_file = absl::GetFlag(FLAGS_floor_spec); !spec_file.empty()) {
    std::ifstream in(spec_file);
    auto spec = sslpanel::bench::FloorSpec::FromJson(nlohmann::json::parse(in, nullptr, false));
    auto service =
        spec.ok() ? sslpanel::bench::NewFloorService(*spec)
                  : absl::StatusOr<std::unique_ptr<grpc::CallbackGenericService>>(spec.status());
    if (!service.ok()) {
      sslpanel::log::Error("cannot start the floors", {{"error", service.status()}});
      return 1;
    }
    floor = *std::move(service);
  }
  auto server = sslpanel::bench::EchoServer::Start(absl::GetFlag(FLAGS_listen), std::move(floor));
  if (!server.ok()) {
    sslpanel::log::Error("cannot start", {{"error", server.status()}});
    return 1;
  }
  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    {
      std::ofstream out(port_file + ".tmp");
      out << (*server)->port() << "\n";
    }
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  sslpanel::log::Info("serving", {{"port", (*server)->port()}});
  sslpanel::grpc_util::WaitForTerminationSignal();
  (*server)->Shutdown();
  return 0;
}
