// Hands a UMD library that set a global (jszip, magic-wand-tool) to dwv's ES imports.
const name = new URL(import.meta.url).search.slice(1);
export default globalThis[name];
