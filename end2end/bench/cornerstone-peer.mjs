// The second peer viewer for `make bench`: Cornerstone3D (@cornerstonejs/core and
// @cornerstonejs/dicom-image-loader from npm) loading the same clip from memory into a
// StackViewport. bench.mjs bundles this file and the loader's decode worker with esbuild into
// target/bench/cornerstone/ and serves them next to cornerstone-peer.html.
import { Enums, RenderingEngine, getRenderingCapabilities, getShouldUseCPURendering, imageLoader, init as initCore, metaData } from '@cornerstonejs/core';
import { init as initLoader, wadouri } from '@cornerstonejs/dicom-image-loader';

// Cornerstone's defaults otherwise: GPU rendering if the browser offers WebGL (CPU canvas if
// not) and hardwareConcurrency / 2 decode workers. The loader starts its worker from
// ./decodeImageFrameWorker.js beside this bundle (import.meta.url); the wasm codecs it may fetch
// are copied beside it too, and wasmBasePath points the worker at them.
initCore();
initLoader({ wasmBasePath: new URL('.', import.meta.url).href });

const element = document.getElementById('viewport');
const engine = new RenderingEngine('bench');
engine.enableElement({ viewportId: 'stack', type: Enums.ViewportType.STACK, element });
const viewport = engine.getViewport('stack');

/** Downloads `url`, then hands its bytes to Cornerstone as a file; resolves with the times
 *  from hand-over to first render and to every frame decoded, and the number of frames. */
window.loadInCornerstone = async (url) => {
  const bytes = await (await fetch(url)).arrayBuffer();
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('Cornerstone3D showed no image within 60 s')), 60_000));
  // The loader rejects with an Error or with { error, dataSet }: pass on the message either way.
  return Promise.race([load(bytes), timeout]).catch((e) => {
    throw new Error(String(e?.error?.message ?? e?.message ?? e?.error ?? e));
  });
};

async function load(bytes) {
  const file = new File([bytes], 'clip.dcm', { type: 'application/dicom' });
  let first;
  const rendered = new Promise((resolve) => {
    const onRendered = () => {
      // Only a render with the clip's image in it counts, not one of the empty viewport.
      if (!viewport.getCurrentImageId()) return;
      first = performance.now() - t0;
      element.removeEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
      resolve();
    };
    element.addEventListener(Enums.Events.IMAGE_RENDERED, onRendered);
  });
  const t0 = performance.now();
  // The file manager hands out `dicomfile:N`; frame F of a multi-frame is `dicomfile:N?frame=F`.
  // Loading frame 1 parses the file (as Cornerstone's local-file example does before building
  // the stack), after which the metadata names every frame's imageId.
  const fileId = wadouri.fileManager.add(file);
  await imageLoader.loadAndCacheImage(`${fileId}?frame=1`);
  const imageIds = [...(metaData.get('frameImageIds', fileId) ?? [`${fileId}?frame=1`])];
  // Show frame 1 while the rest decode; loadAndCacheImage shares one decode per imageId with
  // the viewport, so nothing is decoded twice.
  const shown = viewport.setStack(imageIds, 0);
  await Promise.all([shown, ...imageIds.map((id) => imageLoader.loadAndCacheImage(id))]);
  const all = performance.now() - t0;
  await rendered;
  window.csImageIds = imageIds;
  // Which path drew the frames, for the notes: 'cpu', or the WebGL renderer's name.
  const rendering = getShouldUseCPURendering() ? 'cpu' : getRenderingCapabilities().renderer || 'webgl';
  return { firstFrameMs: first, allDecodedMs: all, frames: imageIds.length, rendering };
}

/** Cornerstone's core has no cine player (that is in @cornerstonejs/tools): steps the stack at
 *  the clip's Frame Time for `ms` from requestAnimationFrame, never queueing a frame behind one
 *  still being drawn; resolves with the frames rendered and the Frame Time it stepped at. */
window.playInCornerstone = (ms) => new Promise((resolve) => {
  const imageIds = window.csImageIds;
  const frameTime = Number(metaData.get('cineModule', imageIds[0])?.frameTime) || 1000 / 30;
  let shown = 0;
  const count = () => { shown += 1; };
  element.addEventListener(Enums.Events.IMAGE_RENDERED, count);
  let busy = false;
  let at = viewport.getCurrentImageIdIndex();
  const t0 = performance.now();
  const tick = () => {
    const elapsed = performance.now() - t0;
    if (elapsed >= ms) {
      element.removeEventListener(Enums.Events.IMAGE_RENDERED, count);
      resolve({ shown, ms: elapsed, frameTime });
      return;
    }
    const due = Math.floor(elapsed / frameTime) % imageIds.length;
    if (!busy && due !== at) {
      busy = true;
      at = due;
      viewport.setImageIdIndex(due).finally(() => { busy = false; });
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
});
window.csReady = true;
