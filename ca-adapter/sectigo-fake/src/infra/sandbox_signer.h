// The fake's throw-away CAs: two sandbox CAs (ca-adapter/src/sandbox), one
// for ordinary orders (<dir>/live) and one for test=Y orders (<dir>/test),
// created on first start. Chains are served as issuing CA, then root.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ca-adapter/sectigo-fake/src/app/ports.h"
#include "ca-adapter/src/sandbox/sandbox_ca.h"
#include "ca-adapter/src/x509/openssl_random.h"

namespace sslpanel::sectigo_fake {

class SandboxSigner final : public Signer {
 public:
  static absl::StatusOr<std::unique_ptr<SandboxSigner>> Create(const std::string& dir,
                                                               const Clock& clock);
  absl::StatusOr<SignedCertificate> Sign(const SignRequest& request) override;

  const std::string& root_pem(bool test) const { return Ca(test).root_pem(); }
  const std::string& issuing_pem(bool test) const { return Ca(test).chain_pem(); }

 private:
  SandboxSigner() = default;
  const ca::sandbox::SandboxCa& Ca(bool test) const { return test ? *test_ : *live_; }

  ca::x509::OpenSslRandom random_;
  std::unique_ptr<ca::sandbox::SandboxCa> live_;
  std::unique_ptr<ca::sandbox::SandboxCa> test_;
};

}  // namespace sslpanel::sectigo_fake
