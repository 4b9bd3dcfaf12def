#include "common/grpc/tls.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "absl/strings/str_cat.h"
#include "common/config/secret.h"
#include "common/x509/tls_files.h"

namespace sslpanel::grpc_util {

absl::Status ServerTls::Validate(absl::Time now) const {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError("--tls_cert_file and --tls_key_file go together");
  }
  if (!client_ca_file.empty() && cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca_file needs --tls_cert_file and --tls_key_file (mutual TLS is TLS)");
  }
  if (absl::Status readable = config::CheckReadable({{"--tls_cert_file", cert_file},
                                                     {"--tls_key_file", key_file},
                                                     {"--tls_client_ca_file", client_ca_file}});
      !readable.ok() || cert_file.empty()) {
    return readable;
  }
  if (absl::Status pair = x509::CheckCertificateAndKey("--tls_cert_file", cert_file,
                                                       "--tls_key_file", key_file, now);
      !pair.ok()) {
    return pair;
  }
  return client_ca_file.empty() ? absl::OkStatus()
                                : x509::CheckCaFile("--tls_client_ca_file", client_ca_file, now);
}

absl::Status ChannelTls::Validate(const std::string& flag_prefix, absl::Time now) const {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag_prefix, "_cert_file and ", flag_prefix, "_key_file go together"));
  }
  if (!cert_file.empty() && ca_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag_prefix, "_cert_file needs ", flag_prefix, "_ca_file (the servers' CA)"));
  }
  if (absl::Status readable =
          config::CheckReadable({{absl::StrCat(flag_prefix, "_ca_file"), ca_file},
                                 {absl::StrCat(flag_prefix, "_cert_file"), cert_file},
                                 {absl::StrCat(flag_prefix, "_key_file"), key_file}});
      !readable.ok() || ca_file.empty()) {
    return readable;
  }
  if (absl::Status ca = x509::CheckCaFile(absl::StrCat(flag_prefix, "_ca_file"), ca_file, now);
      !ca.ok() || cert_file.empty()) {
    return ca;
  }
  return x509::CheckCertificateAndKey(absl::StrCat(flag_prefix, "_cert_file"), cert_file,
                                      absl::StrCat(flag_prefix, "_key_file"), key_file, now);
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ServerTls& tls) {
  if (!tls.enabled()) {
    return grpc::InsecureServerCredentials();
  }
  auto files = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.client_ca_file, kCertificateRefreshSeconds);
  grpc::experimental::TlsServerCredentialsOptions options(files);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    // Asked for and verified, but not required: a caller without one is
    // refused by the authorization check with UNAUTHENTICATED (authz.h), a
    // clearer answer than a failed handshake. One of another CA still fails
    // the handshake.
    options.set_cert_request_type(GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const ChannelTls& tls) {
  if (!tls.enabled()) {
    return grpc::InsecureChannelCredentials();
  }
  auto files = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.key_file, tls.cert_file, tls.ca_file, kCertificateRefreshSeconds);
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(files);
  options.watch_root_certs();
  if (!tls.cert_file.empty()) {
    options.watch_identity_key_cert_pairs();
  }
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  return grpc::experimental::TlsCredentials(options);
}

}  // namespace sslpanel::grpc_util
