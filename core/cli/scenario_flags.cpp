#include "scenario_flags.hpp"

#include "gguf_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "llmcalc/parse.hpp"
#include "llmcalc/schema.hpp"

namespace llmcalc::cli {
namespace {

constexpr size_t kMaxFileBytes = 4u << 20;  // the core's text limit (json_reader.hpp)

void print_error(const std::string& where, const std::string& message, std::string_view code) {
  std::cerr << "error: " << where << ": " << message << " [" << code << "]\n";
}

// The flag that set a path, so errors name what the user typed.
std::string flag_for_path(const std::string& path) {
  if (path.rfind("/model/hf_config", 0) == 0) return "--hf-config";
  if (path.rfind("/model/gguf", 0) == 0 || path.rfind("/gguf", 0) == 0) return "--gguf";
  if (path.empty()) return "--scenario";
  for (std::string p = path; !p.empty(); p = p.substr(0, p.rfind('/')))
    if (const Field* f = find_field(p); f != nullptr && !f->flag.empty()) return std::string(f->flag);
  return "";
}

}  // namespace

int print_errors(const Errors& errors) {
  for (const auto& e : errors) {
    // Paths hold user keys: shown escaped (quote_text) when they are not plain.
    std::string where = e.path.empty() ? "(scenario)" : e.path;
    const std::string q = quote_text(where, 200);
    if (q.size() != where.size() + 2) where = q;
    const std::string flag = flag_for_path(e.path);
    if (!flag.empty()) where += " (" + flag + ")";
    print_error(where, e.message, e.code);
  }
  return 1;
}

void add_scenario_flags(CLI::App& cmd, ScenarioFlags& flags) {
  cmd.add_option("--scenario", flags.scenario_file, "scenario JSON file (flags override it)");
  cmd.add_option("--hf-config", flags.hf_config_file,
                 "Hugging Face config.json to import as the model (not with --model)");
  cmd.add_option("--gguf", flags.gguf_file,
                 "GGUF model file: architecture and exact weight bytes from its header only "
                 "(not with --model)");
  for (const Field& f : scenario_fields()) {
    if (f.flag.empty()) continue;
    std::string help(f.help);
    if (f.choices != nullptr && f.type == FieldType::choice) help += " (" + f.choices->list() + ")";
    help += "; default " + f.default_text();
    if (!f.unit.empty()) help += " [" + std::string(f.unit) + "]";
    const std::string flag(f.flag);
    // Every value is kept as typed: the core types it by the schema (strictly) and echoes it.
    cmd.add_option_function<std::string>(
           flag, [&flags, flag](const std::string& v) { flags.values.emplace_back(flag, v); }, help)
        ->type_name(f.type == FieldType::integer  ? "INT"
                    : f.type == FieldType::number ? "NUM"
                    : f.type == FieldType::boolean ? "BOOL"
                                                   : "TEXT");
  }
  cmd.add_flag("--json", flags.json, "print JSON instead of a table");
  cmd.add_flag("--gb", flags.gb, "decimal GB (1e9 bytes) instead of GiB (2^30 bytes)");
}

std::optional<std::string> read_input_file(const std::string& path, const std::string& flag) {
  const std::string where = flag + " " + quote_text(path, 200);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    print_error(where, std::string("cannot read: ") + std::strerror(errno), "not_a_file");
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    print_error(where, "is not a regular file (a directory, device or pipe cannot be read)", "not_a_file");
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  while (text.size() <= kMaxFileBytes) {
    const size_t want = std::min(sizeof buf, kMaxFileBytes + 1 - text.size());
    const ssize_t n = ::read(fd, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      print_error(where, std::string("cannot read: ") + std::strerror(errno), "not_a_file");
      return std::nullopt;
    }
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  ::close(fd);
  if (text.size() > kMaxFileBytes) {
    print_error(where, "is larger than the limit of " + std::to_string(kMaxFileBytes) + " bytes", "too_large");
    return std::nullopt;
  }
  return text;
}

std::optional<std::string> build_scenario(const ScenarioFlags& flags) {
  ScenarioSources in;
  std::optional<std::string> scenario_text, hf_text;
  if (!flags.scenario_file.empty()) {
    scenario_text = read_input_file(flags.scenario_file, "--scenario");
    if (!scenario_text) return std::nullopt;
    in.scenario_text = *scenario_text;
  }
  if (!flags.hf_config_file.empty()) {
    hf_text = read_input_file(flags.hf_config_file, "--hf-config");
    if (!hf_text) return std::nullopt;
    in.hf_config_text = *hf_text;
  }
  std::optional<std::string> gguf_model;
  if (!flags.gguf_file.empty()) {
    gguf_model = read_gguf_model(flags.gguf_file);
    if (!gguf_model) return std::nullopt;
    in.model_object_text = *gguf_model;
  }
  in.flags = flags.values;
  TextResult r = compose_scenario(in);
  if (!r.text) {
    print_errors(r.errors);
    return std::nullopt;
  }
  return std::move(*r.text);
}

}  // namespace llmcalc::cli
