# Whether the conformance suite can run here: node-llama-cpp installed (with
# its baseline variant) and node on PATH. Sets NODE and conformance_ready;
# prints why a case is skipped (the tests' SKIP_REGULAR_EXPRESSION).
# Input: NODE_DIR.
set(conformance_ready FALSE)
if(NOT EXISTS "${NODE_DIR}/node_modules/node-llama-cpp/package.json")
  message("conformance: skipped: node-llama-cpp is not installed (scripts/bootstrap.sh --tests installs it)")
  return()
endif()
if(NOT EXISTS "${NODE_DIR}/baseline/node_modules/node-llama-cpp/package.json")
  message(FATAL_ERROR "conformance: ${NODE_DIR}/baseline is missing: run scripts/install-llama-cpp.sh again")
endif()
find_program(NODE node)
if(NOT NODE)
  message("conformance: skipped: node is not on PATH")
  return()
endif()
set(conformance_ready TRUE)
