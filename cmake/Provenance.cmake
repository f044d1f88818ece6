# Git revision and dirty flag, refreshed at every build (not only at configure) so results
# never claim a revision they were not built from.
set(HELM_VERSION_CPP ${CMAKE_BINARY_DIR}/generated/version.cpp)
add_custom_target(helm_version_gen
  COMMAND ${CMAKE_COMMAND} -DSRC=${PROJECT_SOURCE_DIR} -DOUT=${HELM_VERSION_CPP}
          -DBUILD_TYPE=${CMAKE_BUILD_TYPE} -P ${PROJECT_SOURCE_DIR}/cmake/WriteVersion.cmake
  BYPRODUCTS ${HELM_VERSION_CPP})
