#include "ca-adapter/src/x509/openssl_random.h"

#include <openssl/rand.h>

#include <cstdlib>

#include "common/log/log.h"

namespace sslpanel::ca::x509 {

std::string OpenSslRandom::Bytes(size_t count) {
  std::string bytes(count, '\0');
  if (count > 0 &&
      RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    // Without randomness serials and keys would be predictable; a CA must
    // not carry on.
    log::Error("RAND_bytes failed; aborting");
    std::abort();
  }
  return bytes;
}

}  // namespace sslpanel::ca::x509
