/**
 * `node:crypto` for the browser bundle: only `createHash('sha1')`, synchronous (Web Crypto is
 * asynchronous), which the lock analysis uses to name anonymous locks the same way as the CLI.
 */
function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

function sha1(bytes: Uint8Array): Uint8Array {
  const length = bytes.length;
  const padded = new Uint8Array(((length + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 4, length * 8);
  view.setUint32(padded.length - 8, Math.floor((length * 8) / 2 ** 32));
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Array<number>(80);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 80; i++) w[i] = rotl(w[i - 3]! ^ w[i - 8]! ^ w[i - 14]! ^ w[i - 16]!, 1);
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let i = 0; i < 80; i++) {
      const [f, k] = i < 20 ? [(b & c) | (~b & d), 0x5a827999] : i < 40 ? [b ^ c ^ d, 0x6ed9eba1] : i < 60 ? [(b & c) | (b & d) | (c & d), 0x8f1bbcdc] : [b ^ c ^ d, 0xca62c1d6];
      const t = (rotl(a, 5) + f + e + k + w[i]!) | 0;
      e = d;
      d = c;
      c = rotl(b, 30);
      b = a;
      a = t;
    }
    h[0] = (h[0]! + a) | 0;
    h[1] = (h[1]! + b) | 0;
    h[2] = (h[2]! + c) | 0;
    h[3] = (h[3]! + d) | 0;
    h[4] = (h[4]! + e) | 0;
  }
  const out = new Uint8Array(20);
  const outView = new DataView(out.buffer);
  h.forEach((v, i) => outView.setUint32(i * 4, v));
  return out;
}

export function createHash(algorithm: string) {
  if (algorithm !== 'sha1') throw new Error(`createHash(${algorithm}) is not available in the playground`);
  const chunks: string[] = [];
  const hash = {
    update(data: string) {
      chunks.push(data);
      return hash;
    },
    digest(encoding: 'hex') {
      if (encoding !== 'hex') throw new Error('only hex digests in the playground');
      const bytes = sha1(new TextEncoder().encode(chunks.join('')));
      return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    },
  };
  return hash;
}

export default { createHash };
