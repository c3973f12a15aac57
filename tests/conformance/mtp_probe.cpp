// Loads a GGUF file that carries MTP (nextn) layers with llama.cpp (the
// library node-llama-cpp ships, whose binding cannot ask for them), as
// llama-server does for --spec-type draft-mtp: the model with load_mtp, its
// context, then an MTP context on the same weights at the same size. Prints
// every llama.cpp log line, the buffer sizes among them.
//
//   mtp_probe BACKENDS_DIR MODEL.gguf CONTEXT FLASH_ATTN(on|off) CACHE_TYPE(f16|q8_0)

#include "ggml-backend.h"
#include "llama.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

void log_line(ggml_log_level, const char* text, void*) {
  std::fputs(text, stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: mtp_probe BACKENDS_DIR MODEL.gguf CONTEXT on|off f16|q8_0\n");
    return 2;
  }
  llama_log_set(log_line, nullptr);
  ggml_backend_load_all_from_path(argv[1]);
  llama_backend_init();
  auto mp = llama_model_default_params();
  mp.n_gpu_layers = 0;
  mp.load_mtp = true;
  llama_model* model = llama_model_load_from_file(argv[2], mp);
  if (model == nullptr) {
    std::fprintf(stderr, "mtp_probe: the model did not load\n");
    return 1;
  }
  const bool flash = std::strcmp(argv[4], "on") == 0;
  const ggml_type cache = std::strcmp(argv[5], "q8_0") == 0 ? GGML_TYPE_Q8_0 : GGML_TYPE_F16;
  auto cp = llama_context_default_params();
  cp.n_ctx = static_cast<uint32_t>(std::strtoul(argv[3], nullptr, 10));
  cp.n_batch = 512;
  cp.n_ubatch = 512;
  cp.n_seq_max = 1;
  cp.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
  cp.type_k = cache;
  cp.type_v = cache;
  llama_context* ctx = llama_init_from_model(model, cp);
  if (ctx == nullptr) {
    std::fprintf(stderr, "mtp_probe: the model's context was not created\n");
    return 1;
  }
  std::puts("mtp_probe: creating the MTP draft context");
  auto mtp = cp;
  mtp.ctx_type = LLAMA_CONTEXT_TYPE_MTP;
  mtp.n_ctx = llama_n_ctx(ctx);
  mtp.ctx_other = ctx;
  llama_context* draft = llama_init_from_model(model, mtp);
  if (draft == nullptr) {
    std::fprintf(stderr, "mtp_probe: the MTP context was not created\n");
    return 1;
  }
  llama_free(draft);
  llama_free(ctx);
  llama_model_free(model);
  llama_backend_free();
  return 0;
}
