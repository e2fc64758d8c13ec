// The error-code name table (llmcalc/error.hpp): the one list of codes.
#include <array>

#include "json_reader.hpp"
#include "llmcalc/error.hpp"

namespace llmcalc {
namespace {

constexpr ErrorCodeInfo kCodes[] = {
    {ErrorCode::invalid_json, "invalid_json", "the text is not JSON (the message says where)"},
    {ErrorCode::invalid_utf8, "invalid_utf8", "a CLI flag value or file is not UTF-8"},
    {ErrorCode::not_a_file, "not_a_file", "a CLI path is not a regular file (a directory, /dev/zero)"},
    {ErrorCode::too_large, "too_large", "the text is over 4 MiB"},
    {ErrorCode::too_deep, "too_deep", "the JSON nests deeper than 32 levels"},
    {ErrorCode::duplicate, "duplicate", "a key given twice in one object, or a LoRA target listed twice"},
    {ErrorCode::wrong_type, "wrong_type", "a value of the wrong JSON type, including null"},
    {ErrorCode::not_integer, "not_integer", "a fraction where a whole number belongs"},
    {ErrorCode::out_of_range, "out_of_range", "a number outside the field's range"},
    {ErrorCode::missing_field, "missing_field", "a required field is absent"},
    {ErrorCode::unknown_field, "unknown_field", "a key the schema does not have (a typo)"},
    {ErrorCode::unknown_value, "unknown_value", "a name outside the field's choices"},
    {ErrorCode::unknown_preset, "unknown_preset", "no model or GPU preset with that id"},
    {ErrorCode::inconsistent, "inconsistent", "fields that contradict each other"},
    {ErrorCode::invalid_choice, "invalid_choice", "give exactly one of several alternatives"},
    {ErrorCode::more_errors, "more_errors", "how many more errors of a long list were left out (a sweep's bad points)"},
    {ErrorCode::internal, "internal", "a bug in the core, never bad input"},
    {ErrorCode::invalid_input, "invalid_input", "JavaScript API: reading the value threw"},
    {ErrorCode::not_finite, "not_finite", "JavaScript API: a number that is not finite"},
    {ErrorCode::cyclic, "cyclic", "JavaScript API: a value that contains itself"},
};

}  // namespace

std::span<const ErrorCodeInfo> error_codes() { return kCodes; }

std::string_view error_code_name(ErrorCode c) {
  for (const auto& i : kCodes)
    if (i.code == c) return i.name;
  return "internal";
}

std::string quote_text(std::string_view s, size_t max) { return json_io::quote(s, max); }

}  // namespace llmcalc
