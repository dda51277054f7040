// Draws the app's icon, the same shapes as public/icon.svg, into the PNG sizes a web app
// manifest needs (192 and 512; maskable: the shapes keep inside the middle 80 %).
//   node web/scripts/icons.mjs      (writes web/public/icon-192.png and icon-512.png)
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const GREEN = [0x14, 0x53, 0x2d];
const WHITE = [0xff, 0xff, 0xff];
const LIGHT = [0xbb, 0xf7, 0xd0];

/** Inside a rounded rectangle (x, y, w, h, r in a 0..1 square). */
const inRounded = (px, py, x, y, w, h, r) => {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
};

/** The colour at (u, v) of the unit square: a green field, a white wallet, its flap and clasp. */
function colour(u, v) {
  if (inRounded(u, v, 0.28, 0.32, 0.44, 0.4, 0.06) && (u - 0.63) ** 2 + (v - 0.52) ** 2 <= 0.035 ** 2) return GREEN;
  if (inRounded(u, v, 0.55, 0.44, 0.17, 0.16, 0.04)) return LIGHT;
  if (inRounded(u, v, 0.28, 0.32, 0.44, 0.4, 0.06)) return WHITE;
  if (inRounded(u, v, 0.32, 0.26, 0.32, 0.1, 0.04)) return LIGHT;
  return GREEN;
}

function crc32(buf) {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size) {
  const raw = Buffer.alloc(size * (size * 3 + 1));
  const samples = 4; // 4x4 supersampling smooths the curves
  for (let y = 0; y < size; y++) {
    raw[y * (size * 3 + 1)] = 0;
    for (let x = 0; x < size; x++) {
      const sum = [0, 0, 0];
      for (let sy = 0; sy < samples; sy++)
        for (let sx = 0; sx < samples; sx++) {
          const c = colour((x + (sx + 0.5) / samples) / size, (y + (sy + 0.5) / samples) / size);
          for (let i = 0; i < 3; i++) sum[i] += c[i];
        }
      const at = y * (size * 3 + 1) + 1 + x * 3;
      for (let i = 0; i < 3; i++) raw[at + i] = Math.round(sum[i] / samples ** 2);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

for (const size of [192, 512]) writeFileSync(new URL(`../public/icon-${size}.png`, import.meta.url), png(size));
