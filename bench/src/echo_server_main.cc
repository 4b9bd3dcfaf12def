// bench-echo-server: the bare callback-API echo server, as a process of its
// own like the services it is compared with. Serves until SIGTERM/SIGINT.
#include <fstream>
#include <string>

#include "absl/flags/flag.h"
#include "bench/src/echo_server.h"
#include "common/config/command_line.h"
#include "common/grpc/server.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:0", "host:port to listen on (port 0: any free port)");
ABSL_FLAG(std::string, port_file, "", "file to write the bound port to once serving");

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  sslpanel::config::ParseCommandLine(
      argc, argv, "bench-echo-server [--listen=host:port] [--port_file=FILE]: the bare echo");
  auto server = sslpanel::bench::EchoServer::Start(absl::GetFlag(FLAGS_listen));
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
