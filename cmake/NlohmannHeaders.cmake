# nlohmann/json as a header directory of its own. Its CMake package adds -isystem /usr/include,
# which breaks em++, so both builds use a copy of just the nlohmann/ headers.
find_path(LLMCALC_NLOHMANN_ROOT nlohmann/json.hpp
  PATHS /usr/include /usr/local/include
  NO_CMAKE_FIND_ROOT_PATH)
if(NOT LLMCALC_NLOHMANN_ROOT)
  message(FATAL_ERROR "nlohmann/json.hpp not found: install nlohmann-json3-dev (scripts/setup.sh)")
endif()
set(LLMCALC_NLOHMANN_INCLUDE "${CMAKE_BINARY_DIR}/third_party/include")
file(COPY "${LLMCALC_NLOHMANN_ROOT}/nlohmann" DESTINATION "${LLMCALC_NLOHMANN_INCLUDE}")
add_library(llmcalc_nlohmann INTERFACE)
target_include_directories(llmcalc_nlohmann SYSTEM INTERFACE "${LLMCALC_NLOHMANN_INCLUDE}")
