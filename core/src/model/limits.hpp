#pragma once
// Upper bounds on every size an architecture may have: well beyond any real model, low
// enough that products stay exact in int64 and that work scaling with them stays small.
// One table for every reader (the explicit architecture object, presets and Hugging Face
// configs), so that no reader accepts what another refuses.

#include <cstdint>

namespace llmcalc::limits {

inline constexpr int64_t kMaxVocab = 10'000'000;
inline constexpr int64_t kMaxWidth = 1'000'000;   // hidden size, head dims, ranks
inline constexpr int64_t kMaxFfnWidth = 10 * kMaxWidth;
inline constexpr int64_t kMaxLayers = 10'000;
inline constexpr int64_t kMaxHeads = 100'000;
inline constexpr int64_t kMaxExperts = 100'000;
inline constexpr int64_t kMaxSharedExperts = 1'000;
inline constexpr int64_t kMaxTokens = 1'000'000'000;
inline constexpr int64_t kMaxStateSize = 100'000;  // SSM state, conv kernel
inline constexpr int64_t kMaxVariants = 64;        // attention or MLP variants in a layer plan
inline constexpr int64_t kMaxMtpLayers = 100;
inline constexpr int64_t kMaxExtraModules = 16;
inline constexpr int64_t kMaxAltupInputs = 64;     // Gemma 3n AltUp copies of the hidden state
inline constexpr int64_t kMaxParams = int64_t{1} << 52;  // one extra module's parameters
inline constexpr double kMaxTotalParams = 1e15;  // a quadrillion parameters: far past any model

}  // namespace llmcalc::limits
