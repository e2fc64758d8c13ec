// The JavaScript face of the llmcalc core: wraps an instantiated Emscripten module (either
// build) in a small API of plain values. JSON text crosses the boundary in both directions,
// so nothing here owns C++ memory and nothing needs .delete().
//
// Every method returns {ok:true, ...} or {ok:false, errors:[{path, code, message}]} and never
// throws: JS-side misuse (undefined, functions, cyclic objects, BigInt, NaN) is reported in
// the same envelope as the core's own validation errors.

const MAX_DEPTH = 64;  // the core refuses more than 32 levels anyway; this bounds our recursion
// The core refuses texts over 4 MiB of UTF-8 (core/src/scenario/json_reader.cpp); longer ones
// are refused here, before embind copies them into WebAssembly memory (a 48 MB string grew
// the heap to 130 MB for good).
const MAX_TEXT_BYTES = 4 * 1024 * 1024;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function failure(path, code, message) {
  return { ok: false, errors: [{ path, code, message }] };
}

function escapeToken(key) {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

class InputError extends Error {
  constructor(path, code, message) {
    super(message);
    this.path = path;
    this.code = code;
  }
}

// `instanceof` itself runs the caller's code on a Proxy (its getPrototypeOf trap), so even
// this test must not throw.
function isInputError(e) {
  try {
    return e instanceof InputError;
  } catch (_) {
    return false;
  }
}

// A thrown value as short text, whatever it is (its message getter or toString may throw).
function describe(e) {
  try {
    const text = e instanceof Error ? String(e.message) : String(e);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch (_) {
    return 'an exception that cannot be shown';
  }
}

// Runs a read of the caller's value (a getter, a Proxy trap, toJSON); whatever it throws
// becomes an input error at `path`, never a fault of the module.
function reading(path, what, read) {
  try {
    return read();
  } catch (e) {
    if (isInputError(e)) throw e;
    throw new InputError(path, 'invalid_input', `reading ${what} threw: ${describe(e)}`);
  }
}

// JSON-serialises a value like JSON.stringify, but refuses what JSON.stringify would silently
// drop or mangle (functions, symbols, undefined array slots, NaN/Infinity -> null, BigInt,
// cycles), naming the JSON pointer of the offending value. Object properties whose value is
// undefined are omitted, as JSON.stringify does (the usual way to leave an optional field out).
function serialize(value, root) {
  const ancestors = [];
  const walk = (v, path, depth) => {
    if (v !== null && typeof v === 'object') {
      const toJSON = reading(path, 'the value', () => v.toJSON);
      if (typeof toJSON === 'function') v = reading(path, 'toJSON()', () => toJSON.call(v));
    }
    switch (typeof v) {
      case 'string':
        return JSON.stringify(v);
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        if (!Number.isFinite(v))
          throw new InputError(path, 'not_finite', `must be a finite number, got ${String(v)}`);
        return JSON.stringify(v);
      case 'bigint':
        throw new InputError(path, 'wrong_type', 'BigInt is not JSON; pass a Number');
      case 'undefined':
        throw new InputError(path, 'wrong_type', 'undefined is not JSON');
      case 'function':
        throw new InputError(path, 'wrong_type', 'a function is not JSON');
      case 'symbol':
        throw new InputError(path, 'wrong_type', 'a symbol is not JSON');
      default:
        break;
    }
    if (v === null) return 'null';
    if (depth >= MAX_DEPTH)
      throw new InputError(path, 'too_deep', `input nests deeper than ${MAX_DEPTH} levels`);
    if (ancestors.includes(v)) throw new InputError(path, 'cyclic', 'the value refers to itself (a cycle)');
    ancestors.push(v);
    let out;
    if (reading(path, 'the value', () => Array.isArray(v))) {
      const parts = [];
      const length = reading(path, 'the array\'s length', () => v.length);
      for (let i = 0; i < length; ++i) {
        const itemPath = `${path}/${i}`;
        parts.push(walk(reading(itemPath, 'the item', () => v[i]), itemPath, depth + 1));
      }
      out = `[${parts.join(',')}]`;
    } else {
      const parts = [];
      for (const key of reading(path, 'the object\'s keys', () => Object.keys(v))) {
        const itemPath = `${path}/${escapeToken(key)}`;
        const item = reading(itemPath, 'the field', () => v[key]);
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${walk(item, itemPath, depth + 1)}`);
      }
      out = `{${parts.join(',')}}`;
    }
    ancestors.pop();
    return out;
  };
  return walk(value, root, 0);
}

// The UTF-8 length of a string, counted only as far as needed to exceed `limit` (a UTF-16
// unit is 1-3 bytes, a surrogate pair 4): no copy, and no count at all for short strings.
function utf8Length(text, limit) {
  if (text.length > limit) return text.length;
  if (text.length * 3 <= limit) return text.length;  // cannot exceed the limit
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= limit; ++i) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      ++i;
    } else bytes += 3;
  }
  return bytes;
}

// Text handed to the core must be well-formed UTF-16: Emscripten's UTF-8 encoder pairs a lone
// surrogate with whatever follows it, which would silently change the text.
function checkText(text, root) {
  const bytes = utf8Length(text, MAX_TEXT_BYTES);
  if (bytes > MAX_TEXT_BYTES)
    throw new InputError(root, 'too_large', `input is at least ${bytes} bytes; the limit is ${MAX_TEXT_BYTES}`);
  const wellFormed = typeof text.isWellFormed === 'function' ? text.isWellFormed() : !LONE_SURROGATE.test(text);
  if (!wellFormed)
    throw new InputError(root, 'invalid_json', 'input is not valid JSON: it contains a lone UTF-16 surrogate');
  // JSON never contains a raw NUL; the core's parser would take it for the end of the input
  // and ignore whatever follows.
  if (text.includes('\u0000'))
    throw new InputError(root, 'invalid_json', 'input is not valid JSON: it contains a NUL character');
  return text;
}

// A scenario, spec, question or HF config may come as JSON text or as a value.
// Whether JSON.stringify gives exactly what serialize() would: only plain strings, finite
// numbers, booleans, null, arrays without holes or undefined, and objects without toJSON,
// no deeper than MAX_DEPTH (so no cycles). Anything else takes serialize(), which names the
// offending path. Measured: the native stringify path saves ~4 us per estimate call.
function isPlainJson(v, depth) {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  if (depth >= MAX_DEPTH || typeof v.toJSON === 'function') return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; ++i) if (!isPlainJson(v[i], depth + 1)) return false;
    return true;
  }
  for (const key in v) {
    if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
    const item = v[key];
    if (item !== undefined && !isPlainJson(item, depth + 1)) return false;
  }
  return true;
}

// Reading the caller's value may run the caller's code (getters, Proxy traps, toJSON):
// whatever it throws becomes an input error naming the field, reported before the module is
// called, so it can never be taken for a fault of the module.
function toText(value, root, what) {
  if (typeof value === 'string') return checkText(value, root);
  if (value === undefined || value === null)
    throw new InputError(root, 'missing_field', `${what} is required (an object or JSON text)`);
  if (typeof value !== 'object')
    throw new InputError(root, 'wrong_type', `${what} must be an object or JSON text, got ${typeOf(value)}`);
  let plain = false;
  try {
    plain = isPlainJson(value, 0);
  } catch (_) {
    // serialize() reads it again, each access guarded, and names the field that threw
  }
  const text = plain ? reading(root, what, () => JSON.stringify(value)) : serialize(value, root);
  return checkText(text, root);
}

function parseAnswer(text) {
  if (typeof text !== 'string') return failure('', 'internal', 'the core returned no text (a bug)');
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && typeof v.ok === 'boolean') return v;
  } catch (_) {
    // fall through
  }
  return failure('', 'internal', 'the core returned malformed JSON (a bug)');
}

const decoder = new TextDecoder();
const TEXT_FUNCTIONS = ['estimate_json', 'sweep_json', 'solve_json', 'plan_json', 'models_json', 'gpus_json', 'kinds_json', 'engines_json',
  'import_hf_config_json', 'export_hf_config_json', 'import_gguf_json', 'schema_json'];

// The raw module answers with a Uint8Array view of UTF-8 JSON in its memory, valid until its
// next call (wasm/llmcalc_wasm.hpp); textCore gives the same functions returning strings,
// decoded at once. Tests and benchmarks that talk to the raw module use this.
export function textCore(module) {
  if (!module || typeof module.estimate_json !== 'function')
    throw new TypeError('textCore: not an instantiated llmcalc core module');
  const out = { version: () => module.version() };
  for (const name of TEXT_FUNCTIONS) {
    const fn = module[name];
    out[name] = (...args) => decoder.decode(fn(...args));
  }
  return Object.freeze(out);
}

export function wrapCore(rawModule) {
  if (!rawModule || typeof rawModule.estimate_json !== 'function')
    throw new TypeError('wrapCore: not an instantiated llmcalc core module');
  const module = textCore(rawModule);
  const stackSave = rawModule.stackSave, stackRestore = rawModule.stackRestore;
  let dead = null;  // set once the module aborted: its memory can no longer be trusted

  // Runs one core call; every failure, JS- or WASM-side, comes back as an envelope.
  // The module is built without C++ exception support (size and speed: see
  // wasm/CMakeLists.txt), so a C++ throw inside the core, which the core is designed never to
  // do, surfaces here as a thrown number (the exception object's address) that unwound the
  // WebAssembly frames without running destructors. It is reported as an internal error and
  // the WebAssembly stack pointer is put back, so later calls work normally; at worst the
  // frames' heap allocations leak. A WebAssembly trap or abort (e.g. out of memory) leaves the
  // module's state unknown: every later call then answers with an internal error.
  //
  // The caller's values are read and turned into text first (`inputs`), apart from the
  // module call: an exception there, even one whose message says "abort", is the caller's
  // (an input error naming the field) and never marks the module dead.
  const canRestore = typeof stackSave === 'function' && typeof stackRestore === 'function';
  const call = (inputs, fn) => {
    if (typeof fn !== 'function') throw new TypeError('call(inputs, fn): inputs and the module call apart');
    let texts;
    try {
      texts = inputs();
    } catch (e) {
      if (isInputError(e)) return failure(e.path, e.code, e.message);
      return failure('', 'invalid_input', `reading the input threw: ${describe(e)}`);
    }
    if (dead) return failure('', 'internal', `the WebAssembly module stopped after an earlier fault: ${dead}`);
    const sp = canRestore ? stackSave() : 0;
    try {
      return parseAnswer(fn(...texts));
    } catch (e) {
      if (canRestore) stackRestore(sp);
      if (typeof e === 'number')
        return failure('', 'internal', 'the core threw a C++ exception (a bug in the core); the call was abandoned');
      const msg = describe(e);
      // Emscripten's abort() throws a WebAssembly.RuntimeError ("Aborted(...)"), as do traps.
      if (e instanceof WebAssembly.RuntimeError || /abort/i.test(msg)) dead = msg;
      return failure('', 'internal', `WebAssembly call failed: ${msg}`);
    }
  };

  const catalogText = {};
  const catalog = (key, fn) => {
    // The catalogs are fixed per build: asked for once, the answer's text kept and parsed
    // afresh on later calls so that callers may mutate what they get (one parse per call).
    if (catalogText[key]) return JSON.parse(catalogText[key])[key];
    let text = '';
    const r = call(() => [], () => (text = fn()));
    if (!r.ok || !Array.isArray(r[key])) return [];
    catalogText[key] = text;
    return r[key];
  };

  let versionText = '';
  try {
    versionText = String(module.version());
  } catch (_) {
    versionText = 'unknown';
  }

  const api = {
    version: versionText,
    estimate(scenario) {
      return call(() => [toText(scenario, '', 'the scenario')], module.estimate_json);
    },
    sweep(scenario, spec) {
      return call(
        () => [toText(scenario, '/scenario', 'the scenario'), toText(spec, '/sweep', 'the sweep spec')],
        module.sweep_json);
    },
    solve(scenario, question) {
      return call(() => [
        toText(scenario, '/scenario', 'the scenario'),
        typeof question === 'string'
          ? checkText(JSON.stringify({ question }), '/question')
          : toText(question, '/question', 'the question'),
      ], module.solve_json);
    },
    /** A fit plan: the weight format, KV cache and context that fit, ranked, with commands. */
    plan(scenario, goals = {}) {
      return call(() => [
        toText(scenario, '/scenario', 'the scenario'),
        toText(goals, '/goals', 'the plan goals'),
      ], module.plan_json);
    },
    models() {
      return catalog('models', () => module.models_json());
    },
    gpus() {
      return catalog('gpus', () => module.gpus_json());
    },
    /** Unified-memory machines (hardware.gpu takes their ids): memory sizes, GPU share, sources. */
    unified() {
      return catalog('unified', () => module.gpus_json());
    },
    /** The engine profiles: id, name, modes, memory policy, options with defaults, sources. */
    engines() {
      return catalog('engines', () => module.engines_json());
    },
    kinds() {
      // An object, not a list: parsed afresh from the kept text like the catalogs.
      if (catalogText.kinds) return JSON.parse(catalogText.kinds).kinds;
      let text = '';
      const r = call(() => [], () => (text = module.kinds_json()));
      if (!r.ok) return { memory: [], phases: [] };
      catalogText.kinds = text;
      return r.kinds;
    },
    /** The scenario schema: {ok, fields, objects, enums, error_codes, limits}. */
    schema() {
      return call(() => [], module.schema_json);
    },
    importHfConfig(config) {
      return call(() => [toText(config, '', 'the config')], module.import_hf_config_json);
    },
    // bytes: the first bytes of a GGUF file (File.slice(0, n) as a Uint8Array); fileSize: the
    // whole file's size. {ok:false, need_bytes} asks for a longer slice (read at least that).
    importGguf(bytes, fileSize) {
      return call(() => {
        if (!(bytes instanceof Uint8Array))
          throw new InputError('/bytes', 'wrong_type', `the GGUF bytes must be a Uint8Array, got ${typeOf(bytes)}`);
        if (typeof fileSize !== 'number' || !Number.isFinite(fileSize) || fileSize < 0)
          throw new InputError('/file_size', 'out_of_range', 'the file size must be a finite number >= 0 (0: unknown)');
        return [bytes, fileSize];
      }, module.import_gguf_json);
    },
    exportHfConfig(id) {
      return call(() => {
        if (typeof id !== 'string')
          throw new InputError('/model', 'wrong_type', `the model id must be a string, got ${typeOf(id)}`);
        return [checkText(id, '/model')];
      }, module.export_hf_config_json);
    },
  };
  return Object.freeze(api);
}

// The one memoized loader every entry point uses (node.mjs, browser.mjs, the page's core.js):
// `start` instantiates a module (a promise); every call returns the same promise of the same
// API object, and a failed start is not cached, so a later call can retry.
export function memoizedLoader(start) {
  let instance = null;
  return function createLlmCalc() {
    if (!instance) {
      instance = start().then(wrapCore);
      instance.catch(() => {
        instance = null;
      });
    }
    return instance;
  };
}
