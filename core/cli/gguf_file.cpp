#include "gguf_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "llmcalc/api.hpp"
#include "llmcalc/error.hpp"
#include "scenario_flags.hpp"

namespace llmcalc::cli {
namespace {

// A header holds metadata and tensor infos only: a 150k-token vocabulary is a few MB; the
// largest tokenizers and chat templates stay far below this bound.
constexpr uint64_t kFirstRead = 1u << 20;
constexpr uint64_t kMaxHeaderRead = 256u << 20;

// Reads bytes [0, n) of fd (fewer at end of file); false on a read error.
bool read_prefix(int fd, uint64_t n, std::string& out) {
  out.resize(n);
  uint64_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return false;
    if (r == 0) break;
    got += static_cast<uint64_t>(r);
  }
  out.resize(got);
  return true;
}

}  // namespace

std::optional<std::string> read_gguf_model(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  struct stat st {};
  if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0) ::close(fd);
    print_errors({{"/gguf", "not_a_file",
                   quote_text(path, 200) + " is not a readable regular file"}});
    return std::nullopt;
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  uint64_t want = std::min(size, kFirstRead);
  std::string bytes;
  for (;;) {
    if (!read_prefix(fd, want, bytes)) {
      ::close(fd);
      print_errors({{"/gguf", "not_a_file", "cannot read: " + std::string(std::strerror(errno))}});
      return std::nullopt;
    }
    const auto r = nlohmann::json::parse(import_gguf_json(bytes, static_cast<double>(size)));
    const uint64_t need = r.contains("need_bytes") ? r["need_bytes"].get<uint64_t>() : 0;
    if (r.value("ok", false) || need == 0 || bytes.size() >= size || want >= kMaxHeaderRead) {
      ::close(fd);
      if (r.value("ok", false)) return r["model"].dump();
      Errors errors;
      for (const auto& e : r["errors"])
        errors.push_back({e.value("path", ""), e.value("code", ""), e.value("message", "")});
      if (need > 0 && want >= kMaxHeaderRead)
        errors.push_back({"/gguf", "too_large", "the header is over " +
                                                    std::to_string(kMaxHeaderRead >> 20) + " MiB"});
      print_errors(errors);
      return std::nullopt;
    }
    // Grow geometrically: a tokenizer array is walked string by string.
    want = std::min({size, kMaxHeaderRead, std::max(need, want * 2)});
  }
}

}  // namespace llmcalc::cli
