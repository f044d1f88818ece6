// libFuzzer harness glue: the parsers under test read files (as they do in a run), so each input
// is written to a per-process file in /dev/shm first. Only BadInput is an acceptable way to
// reject an input: any other exception escapes and libFuzzer reports it as a crash.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace helm::fuzz {

inline const std::string& input_path(const char* ext) {
  static const std::string p = "/dev/shm/helm-fuzz-" + std::to_string(getpid()) + ext;
  return p;
}

inline const std::string& write_input(const uint8_t* data, size_t size, const char* ext) {
  const std::string& p = input_path(ext);
  FILE* f = std::fopen(p.c_str(), "wb");
  if (!f) __builtin_trap();
  if (size) std::fwrite(data, 1, size, f);
  std::fclose(f);
  return p;
}

}  // namespace helm::fuzz
