// Loads a GGUF file with llama.cpp (node-llama-cpp's prebuilt CPU binaries),
// creates one context and prints every llama.cpp log line: the startup log
// `vramfit verify` reads.
//
//   node probe.mjs MODEL.gguf CONTEXT FLASH_ATTN(on|off) [CACHE_TYPE] [SEQUENCES] [SWA_FULL(0|1)]
//                  [DRAFT.gguf DRAFT_CACHE_TYPE]
//
// With a draft model, it is loaded after the model's context, with a context
// of its own at the same size and sequences and its own cache type, as
// llama-server loads a draft (-md, -ctkd/-ctvd).
import {getLlama, LlamaLogLevel} from "node-llama-cpp";

const [model, context, flash, cacheType = "F16", sequences = "1", swaFull = "0", draft = "", draftCache = "F16"] =
  process.argv.slice(2);
const llama = await getLlama({
  gpu: false,
  build: "never",
  logLevel: LlamaLogLevel.debug,
  logger: (level, message) => process.stdout.write(message + "\n"),
});
const m = await llama.loadModel({modelPath: model, gpuLayers: 0});
const c = await m.createContext({
  contextSize: Number(context),
  flashAttention: flash === "on",
  batchSize: 512,
  sequences: Number(sequences),
  experimentalKvCacheKeyType: cacheType.toUpperCase(),
  experimentalKvCacheValueType: cacheType.toUpperCase(),
  swaFullCache: swaFull === "1",
});
if (draft !== "") {
  const dm = await llama.loadModel({modelPath: draft, gpuLayers: 0});
  const dc = await dm.createContext({
    contextSize: Number(context),
    flashAttention: flash === "on",
    batchSize: 512,
    sequences: Number(sequences),
    experimentalKvCacheKeyType: draftCache.toUpperCase(),
    experimentalKvCacheValueType: draftCache.toUpperCase(),
  });
  await dc.dispose();
  await dm.dispose();
}
await c.dispose();
await m.dispose();
await llama.dispose();
