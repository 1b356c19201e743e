// Reads the PNG screenshots Playwright takes (8-bit RGB or RGBA, not interlaced), so a test
// can judge what a WebGL canvas showed without reading its drawing buffer.
import { inflateSync } from 'node:zlib';

/** An image as rows of RGBA bytes. */
export interface Picture {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** Decodes a screenshot. Throws on PNG forms Playwright does not write. */
export function decodePng(png: Buffer): Picture {
  let width = 0;
  let height = 0;
  let depth = 0;
  let colour = 0;
  let interlace = 0;
  const compressed: Buffer[] = [];
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    const kind = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      [depth, colour] = [body[8], body[9]];
      interlace = body[12];
    } else if (kind === 'IDAT') {
      compressed.push(body);
    } else if (kind === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (depth !== 8 || interlace !== 0 || (colour !== 2 && colour !== 6)) {
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${interlace}`);
  }

  const channels = colour === 6 ? 4 : 3;
  const stride = width * channels;
  const raw = inflateSync(Buffer.concat(compressed));
  const rgba = new Uint8Array(width * height * 4);
  let above = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const source = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const line = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const left = i >= channels ? line[i - channels] : 0;
      const up = above[i];
      const upLeft = i >= channels ? above[i - channels] : 0;
      const predicted = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      line[i] = (source[i] + predicted) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      const to = (y * width + x) * 4;
      rgba[to] = line[x * channels];
      rgba[to + 1] = line[x * channels + 1];
      rgba[to + 2] = line[x * channels + 2];
      rgba[to + 3] = channels === 4 ? line[x * channels + 3] : 255;
    }
    above = line;
  }
  return { width, height, rgba };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** The middle of a picture (each side `share` of the whole), away from corner overlays. */
function* middle(picture: Picture, share: number) {
  const x0 = Math.floor((picture.width * (1 - share)) / 2);
  const y0 = Math.floor((picture.height * (1 - share)) / 2);
  for (let y = y0; y < picture.height - y0; y++) {
    for (let x = x0; x < picture.width - x0; x++) yield (y * picture.width + x) * 4;
  }
}

/** The share of pixels in the middle of the picture brighter than near-black. */
export function litShare(picture: Picture, share = 0.6): number {
  let lit = 0;
  let all = 0;
  for (const i of middle(picture, share)) {
    all++;
    if (Math.max(picture.rgba[i], picture.rgba[i + 1], picture.rgba[i + 2]) > 24) lit++;
  }
  return lit / all;
}

/** The mean absolute difference of the grey levels of the middles of two same-size pictures. */
export function meanDifference(a: Picture, b: Picture, share = 0.6): number {
  if (a.width !== b.width || a.height !== b.height) return 255;
  let sum = 0;
  let all = 0;
  for (const i of middle(a, share)) {
    all++;
    sum += Math.abs(a.rgba[i] + a.rgba[i + 1] + a.rgba[i + 2] - b.rgba[i] - b.rgba[i + 1] - b.rgba[i + 2]) / 3;
  }
  return sum / all;
}
