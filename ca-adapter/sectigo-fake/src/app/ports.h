// What the fake's API logic needs from outside: a CA that signs, and a
// domain-control checker that looks at the network. main() wires the real
// ones (infra/); tests may hand in their own.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "ca-adapter/sectigo-fake/src/core/dcv.h"
#include "ca-adapter/sectigo-fake/src/core/order.h"

namespace sslpanel::sectigo_fake {

struct SignRequest {
  std::string csr_pem;
  std::vector<std::string> names;  // the first is the subject CN
  std::optional<Organization> organization;
  absl::Time not_before, not_after;
  bool test = false;  // signed by the test CA
};

struct SignedCertificate {
  std::string certificate_pem;
  std::vector<std::string> chain_pems;  // issuing CA, then root
  std::string serial_number;            // lower-case hex
  absl::Time not_before, not_after;
};

class Signer {
 public:
  virtual ~Signer() = default;
  virtual absl::StatusOr<SignedCertificate> Sign(const SignRequest& request) = 0;
};

struct DcvCheck {
  std::string name;
  DcvMethod method = DcvMethod::kCname;
  CsrHashes hashes;
  std::string unique_value;
};

class DcvChecker {
 public:
  virtual ~DcvChecker() = default;
  // Whether the name's control is proved right now (file served / CNAME
  // published). EMAIL is never proved by a checker.
  virtual bool Check(const DcvCheck& check) = 0;
};

}  // namespace sslpanel::sectigo_fake
