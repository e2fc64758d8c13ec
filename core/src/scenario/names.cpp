#include "llmcalc/scenario.hpp"

namespace llmcalc {

std::string_view mode_name(Mode m) { return m == Mode::inference ? "inference" : "training"; }

std::string_view optimizer_name(Optimizer o) {
  switch (o) {
    case Optimizer::adamw: return "adamw";
    case Optimizer::adamw_8bit: return "adamw-8bit";
    case Optimizer::adafactor: return "adafactor";
    case Optimizer::sgd: return "sgd";
    case Optimizer::sgd_momentum: return "sgd-momentum";
    case Optimizer::lion: return "lion";
  }
  return "adamw";
}

std::string_view checkpointing_name(Checkpointing c) {
  switch (c) {
    case Checkpointing::none: return "none";
    case Checkpointing::selective: return "selective";
    case Checkpointing::full: return "full";
  }
  return "none";
}

std::string_view finetune_name(Finetune f) {
  switch (f) {
    case Finetune::full: return "full";
    case Finetune::lora: return "lora";
    case Finetune::qlora: return "qlora";
  }
  return "full";
}

}  // namespace llmcalc
