// Provenance of the binary (generated at build time from git, see cmake/WriteVersion.cmake).
#pragma once
namespace helm {
const char* git_revision();
bool git_dirty();
const char* build_type();
}  // namespace helm
