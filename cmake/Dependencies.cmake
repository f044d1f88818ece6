# Every dependency is a Debian package (scripts/setup.sh installs them). Sites without root load
# them as modules or install them under a prefix: CMAKE_PREFIX_PATH (any package), MPI_HOME (or
# an mpicxx on PATH), HDF5_ROOT, BOOST_ROOT, OPENBLAS_ROOT (README: "Sites without root").
find_package(Threads REQUIRED)
find_package(MPI REQUIRED COMPONENTS CXX)
set(HDF5_PREFER_PARALLEL OFF)
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(Boost REQUIRED COMPONENTS program_options)
find_package(fmt REQUIRED)
find_package(Eigen3 REQUIRED NO_MODULE)
find_package(GTest REQUIRED)
find_package(benchmark REQUIRED)
include(GoogleTest)

# OpenBLAS, explicitly: Debian's generic libblas.so.3 may resolve to the slow reference BLAS.
# OPENBLAS_ROOT (variable or environment) and Debian's folders first, then CMAKE_PREFIX_PATH and
# the usual places (a module's prefix).
set(_openblas_roots ${OPENBLAS_ROOT} $ENV{OPENBLAS_ROOT} $ENV{OPENBLAS_HOME} $ENV{OPENBLAS_DIR})
find_path(OPENBLAS_INCLUDE_DIR cblas.h HINTS ${_openblas_roots} PATH_SUFFIXES include include/openblas
          PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/openblas
          /usr/include/x86_64-linux-gnu NO_DEFAULT_PATH)
find_path(OPENBLAS_INCLUDE_DIR cblas.h PATH_SUFFIXES openblas)
find_library(OPENBLAS_LIBRARY NAMES openblas HINTS ${_openblas_roots} PATH_SUFFIXES lib lib64 NO_DEFAULT_PATH)
find_library(OPENBLAS_LIBRARY NAMES openblas PATHS /usr/lib/x86_64-linux-gnu/openblas-pthread
             /usr/lib/x86_64-linux-gnu)
if(NOT OPENBLAS_INCLUDE_DIR OR NOT OPENBLAS_LIBRARY)
  message(FATAL_ERROR "OpenBLAS not found: apt-get install libopenblas-dev, or set OPENBLAS_ROOT to its prefix")
endif()
add_library(helm_openblas INTERFACE)
target_include_directories(helm_openblas INTERFACE ${OPENBLAS_INCLUDE_DIR})
target_link_libraries(helm_openblas INTERFACE ${OPENBLAS_LIBRARY})
add_library(helm::openblas ALIAS helm_openblas)

add_library(helm_hdf5 INTERFACE)
target_include_directories(helm_hdf5 INTERFACE ${HDF5_C_INCLUDE_DIRS} ${HDF5_INCLUDE_DIRS})
target_link_libraries(helm_hdf5 INTERFACE ${HDF5_C_LIBRARIES} ${HDF5_LIBRARIES})
target_compile_definitions(helm_hdf5 INTERFACE ${HDF5_DEFINITIONS})
add_library(helm::hdf5 ALIAS helm_hdf5)

# Shared data (../shared/data) for tests and the demo; CI sees it read-only.
get_filename_component(HELM_SHARED_DIR ${PROJECT_SOURCE_DIR}/../shared ABSOLUTE)
