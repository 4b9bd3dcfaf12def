// TLS for gRPC: what a server presents and whom it admits, and what a client
// trusts and presents. Certificates and keys are PEM files, re-read when they
// change (cert-manager and similar rotate them in place), so a renewal needs
// no restart. Empty file names mean plaintext.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace sslpanel::grpc_util {

struct ServerTls {
  std::string cert_file;       // the server's certificate chain, leaf first
  std::string key_file;        // its private key
  std::string client_ca_file;  // when set, clients are asked for a certificate
                               // issued by this CA (mutual TLS); one of another
                               // CA fails the handshake, a caller without one
                               // gets UNAUTHENTICATED from the application

  bool enabled() const { return !cert_file.empty(); }
  // Names the flag and the file at fault: files must be readable, the
  // certificate and key must parse and match, the certificate must be valid
  // at `now`, and the client CA file must hold a CA certificate.
  absl::Status Validate(absl::Time now = absl::Now()) const;
};

struct ChannelTls {
  std::string ca_file;    // the CA the servers' certificates must chain to
  std::string cert_file;  // this client's certificate, for mutual TLS
  std::string key_file;

  bool enabled() const { return !ca_file.empty(); }
  // `flag_prefix` names the flags in errors ("--upstream_tls"); the files
  // are checked as ServerTls::Validate does.
  absl::Status Validate(const std::string& flag_prefix, absl::Time now = absl::Now()) const;
};

// How often changed certificate files are picked up.
inline constexpr unsigned int kCertificateRefreshSeconds = 60;

// Plaintext when !tls.enabled(). Call Validate() first.
std::shared_ptr<grpc::ServerCredentials> ServerCredentialsFor(const ServerTls& tls);
// Plaintext when !tls.enabled(); otherwise the server's chain and its name
// (the target's host) are checked.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(const ChannelTls& tls);

}  // namespace sslpanel::grpc_util
