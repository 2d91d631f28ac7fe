# regression.hh_clones_identical: runs hh_trace_digest built with target_clones (REFERENCE) and
# built with -DLAMINAR_NO_CLONES for each -march (the arguments after --), and fails unless every
# one prints the reference's line. A variant compiled for instructions this CPU lacks exits 77
# and is left out; the reference must always run.
# Usage: cmake -DREFERENCE=EXE -P hh_clones_identical.cmake -- VARIANT_EXE...
cmake_minimum_required(VERSION 3.25)

set(variants "")
set(after_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
    if(after_dashes)
        list(APPEND variants "${CMAKE_ARGV${i}}")
    elseif(CMAKE_ARGV${i} STREQUAL "--")
        set(after_dashes TRUE)
    endif()
endforeach()
if(NOT REFERENCE OR NOT variants)
    message(FATAL_ERROR "usage: cmake -DREFERENCE=EXE -P hh_clones_identical.cmake -- VARIANT...")
endif()

# Runs one binary (after the optional ENV assignments); sets <prefix>_line (its stdout,
# stripped) and <prefix>_rc.
function(run_digest exe prefix)
    string(TIMESTAMP start "%s%f")
    execute_process(COMMAND ${CMAKE_COMMAND} -E env ${ARGN} "${exe}" RESULT_VARIABLE rc
        OUTPUT_VARIABLE out ERROR_VARIABLE err
        OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_STRIP_TRAILING_WHITESPACE)
    string(TIMESTAMP stop "%s%f")
    math(EXPR ms "(${stop} - ${start}) / 1000")
    get_filename_component(name "${exe}" NAME)
    message(STATUS "${name} (exit ${rc}, ${ms} ms): ${out}")
    if(err)
        string(REPLACE "\n" "\n     " err "${err}")
        message(STATUS "   ${err}")
    endif()
    set(${prefix}_line "${out}" PARENT_SCOPE)
    set(${prefix}_rc "${rc}" PARENT_SCOPE)
endfunction()

get_filename_component(reference_name "${REFERENCE}" NAME)
run_digest("${REFERENCE}" ref)
if(NOT ref_rc STREQUAL "0" OR NOT ref_line MATCHES "^hh_trace_digest .*fnv1a64=")
    message(FATAL_ERROR "the cloned build ${reference_name} must run and print its digest; it "
                        "exited ${ref_rc} with output '${ref_line}'")
endif()

set(compared 0)
set(differing "")
foreach(exe IN LISTS variants)
    get_filename_component(name "${exe}" NAME)
    run_digest("${exe}" var)
    if(var_rc STREQUAL "77")
        message(STATUS "${name}: skipped (compiled for instructions this CPU lacks)")
    elseif(NOT var_rc STREQUAL "0")
        message(FATAL_ERROR "${name} failed (exit ${var_rc}): '${var_line}'")
    elseif(NOT var_line STREQUAL ref_line)
        message(SEND_ERROR "${name} (LAMINAR_NO_CLONES) differs from the cloned build "
                           "${reference_name}:\n  ${reference_name}: ${ref_line}\n  "
                           "${name}: ${var_line}")
        list(APPEND differing "${name}")
    else()
        math(EXPR compared "${compared} + 1")
    endif()
endforeach()
# The cloned build again with glibc told the CPU has neither AVX2 nor FMA: glibc then picks
# other versions of exp, log and pow, which must not reach the constants (rate table, q10,
# Exp2Syn factors) - a cluster may mix node types. Only if the tunable does change glibc's libm
# here (older glibc spells it differently and ignores unknown names): the canary says.
set(tunable "GLIBC_TUNABLES=glibc.cpu.hwcaps=-AVX2,-FMA")
execute_process(COMMAND "${REFERENCE}" --libm-canary OUTPUT_VARIABLE canary
    OUTPUT_STRIP_TRAILING_WHITESPACE)
execute_process(COMMAND ${CMAKE_COMMAND} -E env ${tunable} "${REFERENCE}" --libm-canary
    OUTPUT_VARIABLE canary_tuned OUTPUT_STRIP_TRAILING_WHITESPACE)
if(canary STREQUAL canary_tuned)
    message(STATUS "${tunable} does not change glibc's libm here (${canary}): that check is "
                   "skipped")
else()
    run_digest("${REFERENCE}" nofma "${tunable}")
    if(NOT nofma_line STREQUAL ref_line)
        message(SEND_ERROR "${reference_name} under ${tunable} (glibc's non-FMA libm) differs:"
                           "\n  ${ref_line}\n  ${nofma_line}")
        list(APPEND differing "${reference_name} with glibc's non-FMA libm")
    endif()
endif()

if(differing)
    list(JOIN differing ", " differing)
    message(FATAL_ERROR "hh_neuron's cell loops give different bits in: ${differing}")
endif()
message(STATUS "identical: ${reference_name} (also with glibc's non-FMA libm) and ${compared} "
               "LAMINAR_NO_CLONES variant(s)")
