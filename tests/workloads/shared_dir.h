// The shared data folder: $HELM_SHARED (set by ctest), else the configure-time ../shared.
#pragma once
#include <cstdlib>
#include <string>

inline std::string shared_dir() {
  const char* env = std::getenv("HELM_SHARED");
  if (env && *env) return env;
#ifdef HELM_SHARED_FALLBACK
  return HELM_SHARED_FALLBACK;
#else
  return "../shared";
#endif
}
