// The schema table (core/src/scenario/schema.cpp): consistent with itself and with the
// Scenario struct, and the reader really runs on it (each field's range, type and choices).
#include <gtest/gtest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "llmcalc/api.hpp"
#include "llmcalc/schema.hpp"
#include "test_util.hpp"

namespace llmcalc::test {
namespace {

using nlohmann::json;

bool has_error(const Errors& errors, const std::string& path, const std::string& code) {
  for (const auto& e : errors)
    if (e.path == path && e.code == code) return true;
  return false;
}

// {"model":"llama-2-7b"} with `value` at the field's pointer.
std::string with(const Field& f, const json& value) {
  json doc = {{"model", "llama-2-7b"}};
  doc[json::json_pointer(std::string(f.pointer))] = value;
  return doc.dump();
}

TEST(Schema, PointersAndFlagsAreUniqueAndDocumented) {
  std::set<std::string_view> pointers, flags;
  for (const Field& f : scenario_fields()) {
    EXPECT_TRUE(pointers.insert(f.pointer).second) << f.pointer;
    if (!f.flag.empty()) {
      EXPECT_TRUE(flags.insert(f.flag).second) << f.flag;
      EXPECT_EQ(f.flag.substr(0, 2), "--") << f.flag;
    }
    EXPECT_FALSE(f.help.empty()) << f.pointer;
    EXPECT_EQ(find_field(f.pointer), &f);
    if (f.type == FieldType::choice) {
      ASSERT_NE(f.choices, nullptr) << f.pointer;
      if (f.has_static_default()) EXPECT_TRUE(f.choices->parse(f.default_name)) << f.pointer;
    }
    if (f.type == FieldType::integer || f.type == FieldType::number) {
      EXPECT_LE(f.min, f.max) << f.pointer;
      if (f.has_static_default())
        EXPECT_TRUE(f.default_number >= f.min && f.default_number <= f.max) << f.pointer;
    }
  }
}

TEST(Schema, EnumTablesRoundTrip) {
  for (const EnumTable* t : {&enums::dtype, &enums::kv_dtype, &enums::wide_dtype, &enums::state_dtype,
                             &enums::master_weights, &enums::mode, &enums::method,
                             &enums::activation_method, &enums::optimizer, &enums::checkpointing,
                             &enums::finetune, &enums::logits, &enums::lora_module}) {
    std::set<std::string_view> names;
    for (const auto& e : t->names) {
      EXPECT_TRUE(names.insert(e.name).second) << t->id << " " << e.name;
      EXPECT_EQ(t->parse(e.name), e.value) << t->id;
      EXPECT_EQ(t->name_of(e.value), e.name) << t->id;
    }
  }
  // The value is the enum's own value, not a position in a parallel list.
  EXPECT_EQ(enums::kv_dtype.parse("fp8"), int(Dtype::fp8));
  EXPECT_EQ(enums::method.parse("seed"), int(Method::rules_of_thumb));
  EXPECT_EQ(method_name(Method::seed), "rules-of-thumb");
}

TEST(Schema, StaticDefaultsEqualTheStructInitializers) {
  const Scenario plain;
  for (const Field& f : scenario_fields()) {
    if (!f.has_static_default() || f.store == nullptr) continue;
    Scenario s;
    FieldValue v;
    v.integer = int64_t(f.default_number);
    v.number = f.default_number;
    v.boolean = f.default_number != 0;
    v.text = f.default_name;
    if (f.choices != nullptr && f.type == FieldType::choice) v.choice = *f.choices->parse(f.default_name);
    f.store(s, v);
    EXPECT_TRUE(s.precision == plain.precision && s.workload == plain.workload &&
                s.training == plain.training && s.parallelism == plain.parallelism &&
                s.overhead == plain.overhead && s.options == plain.options && s.host == plain.host &&
                s.offload == plain.offload)
        << f.pointer << ": the schema's default differs from scenario.hpp's initializer";
  }
}

// For every field: null is wrong_type; a value past its range or outside its choices is
// refused at its pointer. Break a range in the table and this fails for that field.
TEST(Schema, ReaderEnforcesEveryFieldOfTheTable) {
  int checked = 0;
  for (const Field& f : scenario_fields()) {
    const std::string p(f.pointer);
    if (f.type != FieldType::model)
      EXPECT_TRUE(has_error(errors_of(with(f, nullptr)), p, "wrong_type")) << p;
    switch (f.type) {
      case FieldType::integer:
        EXPECT_TRUE(has_error(errors_of(with(f, int64_t(f.max) + 1)), p, "out_of_range")) << p;
        EXPECT_TRUE(has_error(errors_of(with(f, int64_t(f.min) - 1)), p, "out_of_range")) << p;
        EXPECT_TRUE(has_error(errors_of(with(f, "1")), p, "wrong_type")) << p;
        ++checked;
        break;
      case FieldType::number:
        EXPECT_TRUE(has_error(errors_of(with(f, f.max * 2 + 1)), p, "out_of_range")) << p;
        EXPECT_TRUE(has_error(errors_of(with(f, f.min - 1)), p, "out_of_range")) << p;
        ++checked;
        break;
      case FieldType::choice:
        EXPECT_TRUE(has_error(errors_of(with(f, "zz")), p, "unknown_value")) << p;
        for (const auto& e : f.choices->names) {
          const ScenarioResult r = parse_scenario(with(f, e.name));
          // A name may be refused only by a rule between fields (qlora + bf16, fp8 activations
          // without fp8 weights, ...): an inconsistency, never a range or name error.
          for (const auto& err : r.errors)
            if (err.code != "inconsistent") EXPECT_NE(err.path, p) << p << " " << e.name << ": " << err.message;
        }
        ++checked;
        break;
      case FieldType::boolean:
        EXPECT_TRUE(has_error(errors_of(with(f, 1)), p, "wrong_type")) << p;
        ++checked;
        break;
      default:
        break;
    }
  }
  EXPECT_GT(checked, 35);
}

TEST(Schema, PhysicalFloorsOnRates) {
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-2-7b","hardware":{"peak_flops":{"bf16":1e-300}}})"),
                        "/hardware/peak_flops/bf16", "out_of_range"));
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-2-7b","hardware":{"memory_bandwidth_bytes_per_s":1}})"),
                        "/hardware/memory_bandwidth_bytes_per_s", "out_of_range"));
  EXPECT_TRUE(has_error(errors_of(R"({"model":"llama-2-7b","hardware":{"peak_flops":{"fp64":1e12}}})"),
                        "/hardware/peak_flops/fp64", "unknown_field"));
  // 0 means "no units for this dtype".
  EXPECT_EQ(scenario(R"({"model":"llama-2-7b","hardware":{"peak_flops":{"fp8":0}}})").gpu.peak(Dtype::fp8), 0);
}

TEST(Schema, JsonExportListsEveryFieldEnumAndCode) {
  const json j = json::parse(schema_json());
  ASSERT_TRUE(j["ok"].get<bool>());
  EXPECT_EQ(j["fields"].size(), scenario_fields().size());
  EXPECT_EQ(j["error_codes"].size(), error_codes().size());
  EXPECT_EQ(j["enums"]["Method"]["aliases"]["seed"], "rules-of-thumb");
  bool batch = false;
  for (const auto& f : j["fields"])
    if (f["pointer"] == "/workload/batch") {
      batch = true;
      EXPECT_EQ(f["flag"], "--batch");
      EXPECT_EQ(f["min"], 1);
      EXPECT_EQ(f["max"], kMaxBatch);
      EXPECT_EQ(f["default"], 1);
    }
  EXPECT_TRUE(batch);
}

TEST(Schema, ErrorCodesAreUniqueAndNamed) {
  std::set<std::string_view> names;
  for (const auto& c : error_codes()) {
    EXPECT_TRUE(names.insert(c.name).second) << c.name;
    EXPECT_EQ(error_code_name(c.code), c.name);
    EXPECT_FALSE(c.meaning.empty());
  }
  EXPECT_TRUE(names.count("duplicate"));
}

}  // namespace
}  // namespace llmcalc::test
