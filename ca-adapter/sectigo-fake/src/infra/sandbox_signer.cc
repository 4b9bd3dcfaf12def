#include "ca-adapter/sectigo-fake/src/infra/sandbox_signer.h"

#include <sys/stat.h>

#include <cerrno>

#include "absl/strings/str_cat.h"

namespace sslpanel::sectigo_fake {

absl::StatusOr<std::unique_ptr<SandboxSigner>> SandboxSigner::Create(const std::string& dir,
                                                                     const Clock& clock) {
  std::unique_ptr<SandboxSigner> signer(new SandboxSigner());
  for (auto [name, slot] : {std::pair{"live", &signer->live_}, std::pair{"test", &signer->test_}}) {
    const std::string sub = absl::StrCat(dir, "/", name);
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat("cannot create ", dir));
    }
    if (mkdir(sub.c_str(), 0700) != 0 && errno != EEXIST) {
      return absl::FailedPreconditionError(absl::StrCat("cannot create ", sub));
    }
    absl::StatusOr<std::unique_ptr<ca::sandbox::SandboxCa>> ca =
        ca::sandbox::SandboxCa::LoadOrCreate(sub, clock, signer->random_);
    if (!ca.ok()) {
      return ca.status();
    }
    *slot = *std::move(ca);
  }
  return signer;
}

absl::StatusOr<SignedCertificate> SandboxSigner::Sign(const SignRequest& request) {
  ca::sandbox::LeafSpec spec;
  spec.csr_pem = request.csr_pem;
  spec.names = request.names;
  spec.not_before = request.not_before;
  spec.not_after = request.not_after;
  if (request.organization.has_value()) {
    ca::domain::Organization organization;
    organization.legal_name = request.organization->name;
    organization.city = request.organization->locality;
    organization.country_code = request.organization->country;
    spec.organization = organization;
  }
  const ca::sandbox::SandboxCa& ca = Ca(request.test);
  absl::StatusOr<ca::domain::IssuedCertificate> issued = ca.Sign(spec);
  if (!issued.ok()) {
    return issued.status();
  }
  SignedCertificate out;
  out.certificate_pem = issued->certificate_pem;
  out.chain_pems = {ca.chain_pem(), ca.root_pem()};
  out.serial_number = issued->serial_number;
  out.not_before = issued->not_before;
  out.not_after = issued->not_after;
  return out;
}

}  // namespace sslpanel::sectigo_fake
