# Warnings and sanitizer flags as interface targets, linked by every Laminar target.
include_guard(GLOBAL)
add_library(laminar_warnings INTERFACE)
target_compile_options(laminar_warnings INTERFACE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion>)
add_library(laminar::warnings ALIAS laminar_warnings)

add_library(laminar_sanitize INTERFACE)
if(LAMINAR_SANITIZE)
    target_compile_options(laminar_sanitize INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(laminar_sanitize INTERFACE -fsanitize=address,undefined)
    target_sources(laminar_sanitize INTERFACE
        $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:${PROJECT_SOURCE_DIR}/cmake/sanitizer_defaults.cpp>)
endif()
add_library(laminar::sanitize ALIAS laminar_sanitize)

# Floating point: no contraction of a*b+c into FMA, so that results are bit-identical to NEST's
# and do not change with -march or the compiler's choice of instructions.
add_library(laminar_fp INTERFACE)
target_compile_options(laminar_fp INTERFACE -ffp-contract=off)
add_library(laminar::fp ALIAS laminar_fp)
