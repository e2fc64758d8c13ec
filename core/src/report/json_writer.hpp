#pragma once
// A small streaming JSON writer for the report: appends straight to one string (no DOM,
// no per-node allocation), numbers in the shortest round-trip form (nlohmann's grisu2, the
// same in the native and WASM builds). Non-finite numbers are written as null and flagged.

#include <string>
#include <string_view>
#include <vector>

namespace llmcalc {

class JsonWriter {
 public:
  JsonWriter();
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(double v);
  JsonWriter& value(long long v);
  JsonWriter& value(bool v);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& null();
  // Appends already-serialized JSON as one value.
  JsonWriter& raw(std::string_view json);

  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  JsonWriter& field(std::string_view k, int v) { return field(k, static_cast<long long>(v)); }
  JsonWriter& field(std::string_view k, long v) { return field(k, static_cast<long long>(v)); }

  bool saw_non_finite() const { return non_finite_; }
  size_t size() const { return len_; }  // bytes written so far
  std::string take();  // the text written so far; the writer is empty afterwards

 private:
  char* room(size_t n);       // at least n writable bytes at the end; returns where they start
  void commit(char* end);     // the text now ends at `end`
  char* separator(char* p);   // writes the comma an element needs, if any; returns the end
  JsonWriter& open(char bracket);
  JsonWriter& close(char bracket);
  std::string out_;           // sized ahead; the text is its first len_ bytes
  size_t len_ = 0;
  std::vector<char> first_;  // per open container: no element written yet (char: vector<bool> is slow)
  bool after_key_ = false;
  bool non_finite_ = false;
};

}  // namespace llmcalc
