#include "fake/fake_registries.h"

#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sslpanel::prevalidation::fake {
namespace {

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(const std::string& listen,
                                                          absl::string_view flag) {
  const size_t colon = listen.rfind(':');
  int port = -1;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(listen.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", listen, "\" must be host:port, e.g. 127.0.0.1:8081"));
  }
  return std::make_pair(listen.substr(0, colon), port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeRegistries>> FakeRegistries::Start(
    const FakeRegistriesOptions& options) {
  auto kvk_address = SplitHostPort(options.kvk_listen, "kvk_listen");
  if (!kvk_address.ok()) {
    return kvk_address.status();
  }
  auto rdap_address = SplitHostPort(options.rdap_listen, "rdap_listen");
  if (!rdap_address.ok()) {
    return rdap_address.status();
  }
  std::unique_ptr<FakeRegistries> fake(new FakeRegistries());
  const std::filesystem::path dir(options.testdata_dir);
  auto kvk = KvkFake::Load((dir / "kvk").string(), options.kvk_api_key);
  if (!kvk.ok()) {
    return kvk.status();
  }
  fake->kvk_ = *std::move(kvk);
  auto rdap = RdapFake::Load((dir / "rdap").string());
  if (!rdap.ok()) {
    return rdap.status();
  }
  fake->rdap_ = *std::move(rdap);
  const KvkFake* kvk_data = fake->kvk_.get();
  auto kvk_server = http::Server::Start(
      kvk_address->first, kvk_address->second,
      [kvk_data](const http::ServerRequest& request) { return kvk_data->Handle(request); });
  if (!kvk_server.ok()) {
    return kvk_server.status();
  }
  fake->kvk_server_ = *std::move(kvk_server);
  const RdapFake* rdap_data = fake->rdap_.get();
  auto rdap_server = http::Server::Start(
      rdap_address->first, rdap_address->second,
      [rdap_data](const http::ServerRequest& request) { return rdap_data->Handle(request); });
  if (!rdap_server.ok()) {
    return rdap_server.status();
  }
  fake->rdap_server_ = *std::move(rdap_server);
  return fake;
}

}  // namespace sslpanel::prevalidation::fake
