# Shared compile settings for every cctv target, and one helper per library so each layer is declared
# the same way: a static library, an ALIAS in the cctv:: namespace, warnings on, Qt keywords off.

function(cctv_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  target_compile_definitions(${target} PRIVATE QT_NO_KEYWORDS)
  if(CCTV_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# cctv_add_library(<name> ALIAS <alias> SOURCES ...)
function(cctv_add_library name)
  cmake_parse_arguments(ARG "" "ALIAS" "SOURCES" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(${ARG_ALIAS} ALIAS ${name})
  set_target_properties(${name} PROPERTIES AUTOMOC ON CXX_VISIBILITY_PRESET hidden)
  cctv_target_defaults(${name})
endfunction()

# cctv_add_test(<name> SOURCES ... LIBS ... [TIMEOUT s] [EXECUTABLE]): a Qt Test executable run by ctest
# offscreen. Tests that link a cctv layer carry the label `unit` and are part of the `cctv_unit_tests` target
# (tools/test builds and runs those again under ASan + UBSan); EXECUTABLE marks a test that drives the cctv
# program or the package from outside instead (label `executable`).
add_custom_target(cctv_unit_tests)
function(cctv_add_test name)
  cmake_parse_arguments(ARG "EXECUTABLE" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES AUTOMOC ON)
  cctv_target_defaults(${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} Qt6::Test)
  target_compile_definitions(${name} PRIVATE
    CCTV_FIXTURES_DIR="${CCTV_FIXTURES_DIR}" CCTV_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(CCTV_SANITIZE)
    math(EXPR ARG_TIMEOUT "${ARG_TIMEOUT} * 3")  # instrumented code runs 2-3x slower
  endif()
  if(ARG_EXECUTABLE)
    set(label executable)
  else()
    set(label unit)
    add_dependencies(cctv_unit_tests ${name})
  endif()
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS ${label}
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1")
endfunction()
