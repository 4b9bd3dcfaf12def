#include "ca-adapter/src/app/random_source.h"

#include <cstdint>

namespace sslpanel::ca::app {

std::string RandomHex(RandomSource& random, size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string raw = random.Bytes(bytes);
  std::string hex;
  hex.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 0xf]);
  }
  return hex;
}

double RandomUnit(RandomSource& random) {
  const std::string raw = random.Bytes(8);
  uint64_t value = 0;
  for (unsigned char c : raw) {
    value = (value << 8) | c;
  }
  return static_cast<double>(value >> 11) / static_cast<double>(uint64_t{1} << 53);
}

}  // namespace sslpanel::ca::app
