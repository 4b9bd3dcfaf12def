// ca-adapter-sandbox: wiring only.
#include "absl/flags/parse.h"
#include "common/grpc/server.h"
#include "common/grpc/server_flags.h"
#include "common/log/log.h"
#include "sslpanel/ca/v1/ca.grpc.pb.h"

int main(int argc, char** argv) {
  sslpanel::grpc_util::BlockTerminationSignals();
  absl::ParseCommandLine(argc, argv);
  auto config = sslpanel::grpc_util::ServerConfigFromFlags("ca-adapter-sandbox", "127.0.0.1:50053");
  if (!config.ok()) {
    sslpanel::log::Error("bad configuration", {{"error", config.status()}});
    return 2;
  }
  sslpanel::ca::v1::CaAdapterService::Service service;
  auto host = sslpanel::grpc_util::ServerHost::Start(
      *config, {{&service, "sslpanel.ca.v1.CaAdapterService"}});
  if (!host.ok()) {
    sslpanel::log::Error("cannot start", {{"error", host.status()}});
    return 1;
  }
  sslpanel::grpc_util::ServeUntilSignal(**host);
  return 0;
}
