// What a CA sends back as the certificate: a PEM chain split into blocks,
// each inspected as the adapter does before it hands it to the workflow.
#include "ca-adapter/src/x509/certificate.h"
#include "fuzz/fuzz.h"

SSLPANEL_FUZZ_TARGET {
  const std::string pem = sslpanel::fuzz::Text(data, size);
  (void)sslpanel::ca::x509::InspectCertificate(pem);
  (void)sslpanel::ca::x509::CertificateDer(pem);
  absl::StatusOr<std::vector<std::string>> blocks = sslpanel::ca::x509::SplitPemChain(pem);
  if (blocks.ok()) {
    for (const std::string& block : *blocks) {
      (void)sslpanel::ca::x509::InspectCertificate(block);
    }
  }
  return 0;
}
