// The libFuzzer entry point of one harness (fuzz/harnesses.hpp), chosen at compile time by FUZZ_HARNESS.
#include <cstddef>
#include <cstdint>

#include "fuzz/harnesses.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return limitsim::fuzz::FUZZ_HARNESS(data, size);
}
