# Runs `llmcalc estimate --scenario S --json` and compares with the expected report.
# Regenerate with: scripts/update_goldens.sh
execute_process(COMMAND "${CLI}" estimate --scenario "${SCENARIO}" --json
  OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "llmcalc exited with ${rc} on ${SCENARIO}")
endif()
file(READ "${EXPECTED}" expected)
string(STRIP "${actual}" actual)
string(STRIP "${expected}" expected)
if(NOT actual STREQUAL expected)
  file(WRITE "${CMAKE_CURRENT_BINARY_DIR}/actual.json" "${actual}\n")
  message(FATAL_ERROR "report differs from ${EXPECTED}; see diff ${EXPECTED} ${CMAKE_CURRENT_BINARY_DIR}/actual.json")
endif()
