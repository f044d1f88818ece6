# The GPU path: finds nvcc, CUDA and NCCL and says what the modules may build. The CUDA targets
# live in their modules' CMakeLists: the model's CUDA backend (gr_model/cuda), the CUDA pool
# device (allocator), and the ratio broadcast over NCCL (harness/mpi, always built: it falls back
# to MPI where NCCL or a GPU is absent).
#
#   -DHELM_CUDA=AUTO (default)  build the CUDA code when nvcc is found, else a complete CPU build
#   -DHELM_CUDA=ON              nvcc required
#   -DHELM_CUDA=OFF             CPU only
# nvcc is taken from CMAKE_CUDA_COMPILER, $CUDACXX, /usr/local/cuda/bin/nvcc, then PATH (CMake
# alone looks only on PATH). Architectures default to 80;90 (A100, H100/H200).
# CUDA runtime API only: cudart is linked statically and nothing links libcuda (-lcuda), so every
# binary starts on machines without a GPU driver; the runtime finds the driver when first used.
# Sets HELM_CUDA_ENABLED and HELM_NCCL_ENABLED for the rest of the build.
set(HELM_CUDA AUTO CACHE STRING "Build the CUDA backend: AUTO, ON or OFF")
set_property(CACHE HELM_CUDA PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${HELM_CUDA}" _helm_cuda_mode)
if(NOT _helm_cuda_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "HELM_CUDA must be AUTO, ON or OFF (found '${HELM_CUDA}')")
endif()
set(HELM_CUDA_ENABLED OFF)
set(HELM_NCCL_ENABLED OFF)

if(NOT _helm_cuda_mode STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER)
    if(DEFINED ENV{CUDACXX} AND EXISTS "$ENV{CUDACXX}")
      set(_helm_nvcc "$ENV{CUDACXX}")
    elseif(EXISTS /usr/local/cuda/bin/nvcc)
      set(_helm_nvcc /usr/local/cuda/bin/nvcc)
    else()
      find_program(_helm_nvcc nvcc)
    endif()
    if(_helm_nvcc)
      # check_language runs a sub-project that reads CUDACXX: point it at the nvcc found here.
      set(ENV{CUDACXX} "${_helm_nvcc}")
      include(CheckLanguage)
      check_language(CUDA)
    endif()
  endif()
  if(CMAKE_CUDA_COMPILER)
    if(NOT CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80;90" CACHE STRING "CUDA architectures (A100, H100/H200)" FORCE)
    endif()
    if(NOT CMAKE_CUDA_HOST_COMPILER)
      set(CMAKE_CUDA_HOST_COMPILER "${CMAKE_CXX_COMPILER}" CACHE FILEPATH "" FORCE)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    # .cu files stay C++17 (CMake 3.25 knows no CUDA20 for nvcc); host code they share is C++17.
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    set(CMAKE_CUDA_RUNTIME_LIBRARY Static)
    set(HELM_CUDA_ENABLED ON)
    message(STATUS "helm: CUDA backend ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures "
                   "${CMAKE_CUDA_ARCHITECTURES})")
  elseif(_helm_cuda_mode STREQUAL "ON")
    message(FATAL_ERROR "HELM_CUDA=ON but no working nvcc: set CUDACXX or install CUDA in /usr/local/cuda")
  else()
    message(STATUS "helm: CUDA backend OFF (no nvcc found; HELM_CUDA=AUTO)")
  endif()
endif()

# NCCL: only with CUDA. Version from nccl.h; 2.14 or later (ncclCommInitRankConfig with blocking = 0
# bounds the initialisation by a timeout).
if(HELM_CUDA_ENABLED)
  find_path(NCCL_INCLUDE_DIR nccl.h
            HINTS $ENV{NCCL_HOME}/include ${CUDAToolkit_INCLUDE_DIRS}
            PATHS /usr/local/cuda/include /usr/include)
  find_library(NCCL_LIBRARY NAMES nccl libnccl.so.2
               HINTS $ENV{NCCL_HOME}/lib ${CUDAToolkit_LIBRARY_DIR}
               PATHS /usr/local/cuda/lib /usr/local/cuda/lib64 /usr/lib/x86_64-linux-gnu)
  if(NCCL_INCLUDE_DIR AND NCCL_LIBRARY)
    file(STRINGS "${NCCL_INCLUDE_DIR}/nccl.h" _nccl_defs REGEX "^#define NCCL_(MAJOR|MINOR|PATCH) ")
    foreach(_d ${_nccl_defs})
      if(_d MATCHES "^#define NCCL_(MAJOR|MINOR|PATCH) +([0-9]+)")
        set(NCCL_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
      endif()
    endforeach()
    set(NCCL_VERSION "${NCCL_MAJOR}.${NCCL_MINOR}.${NCCL_PATCH}")
    if(NCCL_MAJOR GREATER 2 OR (NCCL_MAJOR EQUAL 2 AND NCCL_MINOR GREATER_EQUAL 14))
      set(HELM_NCCL_ENABLED ON)
      message(STATUS "helm: NCCL ${NCCL_VERSION} (${NCCL_LIBRARY})")
    else()
      message(STATUS "helm: NCCL ${NCCL_VERSION} is older than 2.14 (no non-blocking ncclCommInitRankConfig): ratio broadcast over MPI")
    endif()
  else()
    message(STATUS "helm: NCCL not found: ratio broadcast over MPI")
  endif()
endif()

# The top-level add_compile_options (-Wall, -march, ...) are host-compiler flags: give nvcc its own.
function(helm_cuda_flags target)
  set_property(TARGET ${target} PROPERTY COMPILE_OPTIONS "")
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CONFIG:Release>>:-O3 -march=x86-64-v2>
    $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr -Xcompiler=-Wall,-Wno-unused-parameter>
    $<$<AND:$<COMPILE_LANGUAGE:CUDA>,$<CONFIG:Release>>:-O3 -lineinfo>)
endfunction()
