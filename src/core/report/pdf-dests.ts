/**
 * @file Reads the page count and the named destinations (element id → 1-based page) of a PDF printed by
 * Chromium — headless Chromium here, Electron's webContents.printToPDF in the app; both write PDF 1.4
 * through Skia: a classic xref table, uncompressed dictionaries, a /Dests dictionary in the catalog with
 * one entry per element id that an internal link points at. Pure TypeScript, so the app needs no poppler.
 * Not a general PDF parser: object streams and encrypted files are out of scope (Chromium writes neither);
 * a name tree (/Names /Dests) is read too, in case a later Chromium switches to one.
 */

type Dict = string;

function parseObjects(text: string): Map<number, string> {
  const objs = new Map<number, string>();
  // Classic xref: "xref\n0 N\n" then N lines "oooooooooo ggggg n". Offsets are exact, so no stream bytes
  // are ever mistaken for an object header.
  const start = /startxref\s+(\d+)/g;
  let m: RegExpExecArray | null;
  let last = -1;
  while ((m = start.exec(text))) last = Number(m[1]);
  if (last >= 0 && text.startsWith('xref', last)) {
    const lines = text.slice(last, text.indexOf('trailer', last)).split(/\r?\n|\r/);
    let k = 1;
    while (k < lines.length) {
      const head = /^(\d+)\s+(\d+)\s*$/.exec(lines[k].trim());
      if (!head) break;
      const [first, count] = [Number(head[1]), Number(head[2])];
      for (let i = 0; i < count; i++) {
        const e = /^(\d{10})\s+(\d{5})\s+([nf])/.exec(lines[k + 1 + i]?.trim() ?? '');
        if (e && e[3] === 'n') {
          const off = Number(e[1]);
          const end = [text.indexOf('endobj', off), text.indexOf('stream', off)].filter((x) => x >= 0);
          objs.set(first + i, text.slice(off, Math.min(...end)));
        }
      }
      k += 1 + count;
    }
  }
  if (objs.size === 0) {
    // No usable xref: scan for object headers (good enough for small uncompressed files).
    const re = /(?:^|[\r\n])(\d+) 0 obj([\s\S]*?)(?:endobj|stream)/g;
    while ((m = re.exec(text))) objs.set(Number(m[1]), m[2]);
  }
  return objs;
}

const ref = (d: Dict, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(d);
  return m ? Number(m[1]) : null;
};

/** PDF name with #xx escapes decoded. */
const pdfName = (s: string) => s.replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** Page objects in reading order, walking the page tree from /Root /Pages. */
function pageOrder(objs: Map<number, string>, root: number): number[] {
  const pagesRef = ref(objs.get(root) ?? '', 'Pages');
  const out: number[] = [];
  const walk = (n: number, depth: number) => {
    const d = objs.get(n) ?? '';
    if (depth > 64) return;
    if (/\/Type\s*\/Pages\b/.test(d)) {
      const kids = /\/Kids\s*\[([^\]]*)\]/.exec(d)?.[1] ?? '';
      for (const k of kids.matchAll(/(\d+)\s+0\s+R/g)) walk(Number(k[1]), depth + 1);
    } else out.push(n);
  };
  if (pagesRef !== null) walk(pagesRef, 0);
  return out;
}

export interface PdfOutline {
  pageCount: number;
  /** destination name → 1-based page */
  destinations: Record<string, number>;
}

/** Page count and named destinations of a Chromium PDF (see the file note). */
export function readPdfOutline(pdf: Uint8Array): PdfOutline {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1');
  const objs = parseObjects(text);
  const trailer = text.slice(text.lastIndexOf('trailer'));
  const root = ref(trailer, 'Root') ?? [...objs.entries()].find(([, d]) => /\/Type\s*\/Catalog\b/.test(d))?.[0] ?? null;
  if (root === null) return { pageCount: 0, destinations: {} };
  const pages = pageOrder(objs, root);
  const pageOf = new Map(pages.map((n, k) => [n, k + 1]));
  const destinations: Record<string, number> = {};
  const catalog = objs.get(root) ?? '';
  const destsRef = ref(catalog, 'Dests');
  const destsDict = destsRef !== null ? objs.get(destsRef) ?? '' : /\/Dests\s*<<([\s\S]*?)>>/.exec(catalog)?.[1] ?? '';
  for (const m of destsDict.matchAll(/\/([^\s/[\]<>()]+)\s*\[\s*(\d+)\s+0\s+R/g)) {
    const page = pageOf.get(Number(m[2]));
    if (page) destinations[pdfName(m[1])] = page;
  }
  // Name tree: /Names << /Dests N 0 R >> → nodes with /Names [(name) [page 0 R ...] ...] or /Kids.
  const namesRef = ref(catalog, 'Names');
  const tree = namesRef !== null ? ref(objs.get(namesRef) ?? '', 'Dests') : null;
  const visit = (n: number, depth: number) => {
    const d = objs.get(n) ?? '';
    if (depth > 32) return;
    for (const m of d.matchAll(/\(([^)]*)\)\s*\[\s*(\d+)\s+0\s+R/g)) {
      const page = pageOf.get(Number(m[2]));
      if (page && !(m[1] in destinations)) destinations[m[1]] = page;
    }
    const kids = /\/Kids\s*\[([^\]]*)\]/.exec(d)?.[1] ?? '';
    for (const k of kids.matchAll(/(\d+)\s+0\s+R/g)) visit(Number(k[1]), depth + 1);
  };
  if (tree !== null) visit(tree, 0);
  return { pageCount: pages.length, destinations };
}
