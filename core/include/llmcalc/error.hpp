#pragma once
// Validation errors: a JSON pointer into the input, a stable code, and prose.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace llmcalc {

// Every code an error may carry; error_codes() is the one list (docs, d.ts and `llmcalc
// schema --json` are generated from it). Codes marked js come from wasm/js/api.mjs only.
enum class ErrorCode {
  invalid_json,    // the text is not JSON
  invalid_utf8,    // a CLI flag value or file is not UTF-8
  not_a_file,      // a CLI path that is not a regular file (a directory, /dev/zero)
  too_large,       // text over the size limit
  too_deep,        // JSON nested over the depth limit
  duplicate,       // a JSON key twice in one object, or a LoRA target listed twice
  wrong_type,      // e.g. a string where a number belongs, or null
  not_integer,     // a fraction where a whole number belongs
  out_of_range,    // a number outside the field's range (also nan, inf)
  missing_field,   // a required field is absent
  unknown_field,   // a key the schema does not have (a typo such as "bacth")
  unknown_value,   // a name outside the field's choices
  unknown_preset,  // no model or GPU preset with that id
  inconsistent,    // fields that contradict each other
  invalid_choice,  // exactly one of several alternatives must be given
  more_errors,     // a count of further errors of a long list (a sweep's bad points) left out
  internal,        // a bug in the core (never for bad input)
  invalid_input,   // js: a value JSON cannot carry (a throwing getter, toJSON)
  not_finite,      // js: NaN or Infinity in a JavaScript value
  cyclic,          // js: a value that contains itself
};

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;
  std::string_view meaning;
};

std::span<const ErrorCodeInfo> error_codes();
std::string_view error_code_name(ErrorCode c);

struct Error {
  std::string path;     // JSON pointer, e.g. "/workload/batch"
  std::string code;     // an error_code_name(): "out_of_range", "unknown_preset", ...
  std::string message;  // human sentence naming the field and the reason
};

using Errors = std::vector<Error>;

// User text as a message may echo it: in quotes, at most `max` bytes, control characters as
// \u001b (no escape sequence reaches a terminal), invalid UTF-8 bytes as \xNN.
std::string quote_text(std::string_view s, size_t max = 40);

inline Error make_error(std::string path, ErrorCode code, std::string message) {
  return {std::move(path), std::string(error_code_name(code)), std::move(message)};
}

}  // namespace llmcalc
