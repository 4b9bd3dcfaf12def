// Randomness is injected like the clock: serial numbers, order ids, tokens
// and retry jitter all come from here, so tests can make them predictable.
#pragma once

#include <cstddef>
#include <string>

namespace sslpanel::ca::app {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // `count` random bytes; for serials and tokens they must be unpredictable.
  virtual std::string Bytes(size_t count) = 0;
};

// `bytes` random bytes as lower-case hex (2 * bytes characters).
std::string RandomHex(RandomSource& random, size_t bytes);

// A uniformly distributed number in [0, 1), for jitter.
double RandomUnit(RandomSource& random);

}  // namespace sslpanel::ca::app
