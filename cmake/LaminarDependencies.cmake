# The one place that finds Laminar's dependencies and normalises them to namespaced targets:
#   laminar::mpi laminar::openmp laminar::hdf5 laminar::boost_po laminar::yaml
#   laminar::random123 laminar::fmt laminar::spdlog laminar::json (and GTest::gtest for tests).
include_guard(GLOBAL)

find_package(MPI 3.0 REQUIRED COMPONENTS C CXX)
find_package(OpenMP REQUIRED COMPONENTS CXX)

# Parallel HDF5: Debian's libhdf5-openmpi-dev. Prefer its compiler wrapper so that a serial
# HDF5 installed beside it is never picked up by accident.
set(HDF5_PREFER_PARALLEL ON)
if(NOT HDF5_C_COMPILER_EXECUTABLE AND EXISTS /usr/bin/h5pcc.openmpi)
    set(HDF5_C_COMPILER_EXECUTABLE /usr/bin/h5pcc.openmpi)
endif()
find_package(HDF5 REQUIRED COMPONENTS C)
if(NOT HDF5_IS_PARALLEL)
    message(FATAL_ERROR
        "Laminar needs a parallel (MPI) HDF5, but the HDF5 found is serial "
        "(${HDF5_C_INCLUDE_DIRS}). On Debian install libhdf5-openmpi-dev, or set "
        "HDF5_C_COMPILER_EXECUTABLE to the parallel h5pcc.")
endif()
add_library(laminar_hdf5 INTERFACE)
target_include_directories(laminar_hdf5 SYSTEM INTERFACE ${HDF5_C_INCLUDE_DIRS})
target_compile_definitions(laminar_hdf5 INTERFACE ${HDF5_C_DEFINITIONS} H5_USE_110_API)
target_link_libraries(laminar_hdf5 INTERFACE ${HDF5_C_LIBRARIES} MPI::MPI_C)
add_library(laminar::hdf5 ALIAS laminar_hdf5)

find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3 REQUIRED)

find_path(RANDOM123_INCLUDE_DIR Random123/philox.h REQUIRED)
add_library(laminar_random123 INTERFACE)
target_include_directories(laminar_random123 SYSTEM INTERFACE ${RANDOM123_INCLUDE_DIR})
add_library(laminar::random123 ALIAS laminar_random123)

add_library(laminar_deps INTERFACE)
target_link_libraries(laminar_deps INTERFACE
    MPI::MPI_CXX OpenMP::OpenMP_CXX laminar::hdf5 Boost::program_options
    yaml-cpp fmt::fmt spdlog::spdlog nlohmann_json::nlohmann_json laminar::random123)
add_library(laminar::deps ALIAS laminar_deps)

if(LAMINAR_BUILD_TESTS)
    find_package(GTest REQUIRED)
endif()
if(LAMINAR_BUILD_BENCHMARKS)
    find_package(benchmark REQUIRED)
endif()
