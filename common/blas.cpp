#include "common/blas.h"

#include <cblas.h>
#include <fmt/format.h>

extern "C" {
char* openblas_get_config(void);
char* openblas_get_corename(void);
void openblas_set_num_threads(int);
}

namespace helm {
std::string init_blas() {
  openblas_set_num_threads(1);
  return fmt::format("{} core={} threads=1", openblas_get_config(), openblas_get_corename());
}
}  // namespace helm
