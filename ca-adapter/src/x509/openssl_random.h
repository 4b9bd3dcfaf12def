// The production random source: OpenSSL's CSPRNG.
#pragma once

#include "ca-adapter/src/app/random_source.h"

namespace sslpanel::ca::x509 {

class OpenSslRandom final : public app::RandomSource {
 public:
  std::string Bytes(size_t count) override;
};

}  // namespace sslpanel::ca::x509
