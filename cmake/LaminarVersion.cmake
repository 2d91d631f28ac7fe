# Version and git hash baked into the binary (reported by --version and summary.json).
include_guard(GLOBAL)
find_package(Git QUIET)
set(LAMINAR_GIT_HASH "unknown")
if(GIT_FOUND)
    execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
        WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
        OUTPUT_VARIABLE _hash OUTPUT_STRIP_TRAILING_WHITESPACE
        RESULT_VARIABLE _rc ERROR_QUIET)
    if(_rc EQUAL 0)
        set(LAMINAR_GIT_HASH ${_hash})
    endif()
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/version.hpp.in
    ${PROJECT_BINARY_DIR}/generated/laminar/version.hpp @ONLY)
