// The sandbox's certificate authority: a root and an issuing CA of its own
// (EC P-256 keys, PEM files in one directory, created on first start and
// loaded afterwards), signing CSRs into real X.509 server certificates.
// Replicas share the directory (a Kubernetes Secret), so they share the CA.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/src/app/random_source.h"
#include "ca-adapter/src/domain/order.h"
#include "common/time/clock.h"

namespace sslpanel::ca::sandbox {

// File names inside the CA directory.
inline constexpr char kRootCertFile[] = "root.pem";
inline constexpr char kRootKeyFile[] = "root.key";
inline constexpr char kIssuingCertFile[] = "issuing.pem";
inline constexpr char kIssuingKeyFile[] = "issuing.key";

struct LeafSpec {
  std::string csr_pem;
  // Subject alternative names; the first is also the subject common name.
  std::vector<std::string> names;
  // Subject O / L / C for OV and EV certificates.
  std::optional<domain::Organization> organization;
  absl::Time not_before;
  absl::Time not_after;
};

class SandboxCa {
 public:
  // Loads the CA from `dir`, or creates it there when the directory holds
  // none of its files. A partial set is FAILED_PRECONDITION (never
  // overwritten). Safe against a second process starting at the same time.
  static absl::StatusOr<std::unique_ptr<SandboxCa>> LoadOrCreate(const std::string& dir,
                                                                 const Clock& clock,
                                                                 app::RandomSource& random);
  ~SandboxCa();

  // Signs the CSR's public key into a certificate for spec.names with a new
  // random 127-bit serial. INVALID_ARGUMENT for an unusable CSR.
  absl::StatusOr<domain::IssuedCertificate> Sign(const LeafSpec& spec) const;

  const std::string& root_pem() const { return root_pem_; }
  // The chain a leaf is served with: the issuing CA certificate.
  const std::string& chain_pem() const { return issuing_pem_; }

 private:
  struct Keys;
  SandboxCa(std::unique_ptr<Keys> keys, std::string root_pem, std::string issuing_pem,
            app::RandomSource& random);

  std::unique_ptr<Keys> keys_;
  std::string root_pem_;
  std::string issuing_pem_;
  app::RandomSource& random_;
};

}  // namespace sslpanel::ca::sandbox
