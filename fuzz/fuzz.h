// Shared bits of the libFuzzer targets: the entry point's signature and a
// view of the input as text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#define SSLPANEL_FUZZ_TARGET extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)

namespace sslpanel::fuzz {

inline std::string Text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace sslpanel::fuzz
