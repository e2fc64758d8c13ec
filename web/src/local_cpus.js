// CPU presets for the layers llama.cpp leaves in system RAM: id, name, FP32 FLOP/s. From
// core/data/host_memory.json's `cpus` (each cited there; the core resolves hardware.cpu from
// it), without the citations the page would carry for nothing; tests/node/gguf_header.test.mjs
// compares the two.
export const CPUS = [
  ['core-i9-10900x', 'Intel Core i9-10900X (10 cores, Cascade Lake-X)', 2368e9],
  ['ryzen-9-7950x', 'AMD Ryzen 9 7950X (16 cores, Zen 4)', 2304e9],
  ['ryzen-9-9950x', 'AMD Ryzen 9 9950X (16 cores, Zen 5)', 44032e8],
  ['epyc-9654', 'AMD EPYC 9654 (96 cores, Zen 4)', 73728e8],
];
