# helm_module(NAME SOURCES a.cpp b.cpp PUBLIC_DEPS ... PRIVATE_DEPS ...)
# One static library per module, named helm_NAME, aliased helm::NAME. Headers are included
# as "NAME/header.h" from the repository root.
function(helm_module name)
  cmake_parse_arguments(M "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(helm_${name} STATIC ${M_SOURCES})
  add_library(helm::${name} ALIAS helm_${name})
  target_include_directories(helm_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(helm_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_PRIVATE_DEPS})
endfunction()

# helm_test(NAME SOURCES ... DEPS ... [LABELS ...] [SERIAL]): one GoogleTest executable per module;
# SERIAL runs its cases alone (ctest RUN_SERIAL).
function(helm_test name)
  cmake_parse_arguments(T "SERIAL" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  set(props ENVIRONMENT "HELM_SHARED=${HELM_SHARED_DIR}")
  if(T_LABELS)
    list(APPEND props LABELS "${T_LABELS}")
  endif()
  if(T_SERIAL)  # real multi-rank runs whose assertions need the workers to get the CPUs they ask for
    list(APPEND props RUN_SERIAL TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES ${props}
    WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()
