// HELM_MPI(call): an MPI call whose failure throws, naming the file, line and call. A header of
// its own so the ratio broadcast (helm::comm, below the front end) can use it too.
#pragma once
#include <mpi.h>

#include <stdexcept>
#include <string>

#define HELM_MPI(call)                                                                     \
  do {                                                                                     \
    const int rc_ = (call);                                                                \
    if (rc_ != MPI_SUCCESS)                                                                \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) +   \
                               ": " #call " failed with code " + std::to_string(rc_));     \
  } while (0)
