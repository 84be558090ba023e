/**
 * @file The window-wide drop guard with the real drop-zone handlers (useFileDrop) on a minimal bubbling
 * tree (the renderer tests run under Node, without a DOM): a drop outside every zone is cancelled, a drop
 * on a zone still reaches the zone and opens the file, and text dropped into a field is left to the field.
 */
import { describe, expect, it } from 'vitest';
import { useFileDrop } from '../composables/useFileDrop';
import { installDropGuard } from './drop-guard';

type Listener = (e: FakeDragEvent) => void;

/** An element: listeners, a tag, a parent; events bubble from the target up to the document. */
class El {
  private listeners = new Map<string, Set<Listener>>();
  constructor(
    readonly tagName: string,
    readonly parent: El | null = null,
    readonly isContentEditable = false,
  ) {}
  addEventListener(type: string, l: Listener): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(l);
  }
  removeEventListener(type: string, l: Listener): void {
    this.listeners.get(type)?.delete(l);
  }
  fire(e: FakeDragEvent): void {
    for (const l of this.listeners.get(e.type) ?? []) l(e);
  }
  /** what a Vue `v-on="handlers"` does to this element */
  bind(handlers: Record<string, (e: DragEvent) => void>): void {
    for (const [type, h] of Object.entries(handlers)) this.addEventListener(type, h as unknown as Listener);
  }
}

class FakeDragEvent {
  defaultPrevented = false;
  stopped = false;
  readonly dataTransfer: { types: string[]; files: unknown[]; dropEffect: string };
  constructor(
    readonly type: string,
    readonly target: El,
    types: string[],
    files: unknown[] = [],
  ) {
    this.dataTransfer = { types, files, dropEffect: 'copy' };
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
  stopPropagation(): void {
    this.stopped = true;
  }
}

/** Dispatches like a browser: bubbling from the target to the document, unless propagation is stopped. */
function drag(type: string, target: El, types: string[], files: unknown[] = []): FakeDragEvent {
  const e = new FakeDragEvent(type, target, types, files);
  for (let el: El | null = target; el && !e.stopped; el = el.parent) el.fire(e);
  return e;
}

function page() {
  const document = new El('#document');
  const body = new El('BODY', document);
  const zone = new El('DIV', body);
  const zoneChild = new El('CANVAS', zone);
  const outside = new El('DIV', body);
  const field = new El('INPUT', body);
  const opened: unknown[] = [];
  const drop = useFileDrop((f) => opened.push(f));
  zone.bind(drop.handlers);
  const uninstall = installDropGuard(document as unknown as EventTarget);
  return { zone, zoneChild, outside, field, opened, drop, uninstall };
}

const FILE = { name: 'scan.tif' };

describe('installDropGuard', () => {
  it('cancels a file drop outside every drop zone, with a "no drop" cursor while it hovers', () => {
    const p = page();
    const over = drag('dragover', p.outside, ['Files'], [FILE]);
    expect(over.defaultPrevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('none');
    expect(drag('drop', p.outside, ['Files'], [FILE]).defaultPrevented).toBe(true);
    expect(p.opened).toEqual([]);
  });

  it('cancels a link dropped on the page (a drop of a URL navigates too)', () => {
    const p = page();
    expect(drag('dragover', p.outside, ['text/uri-list', 'text/plain']).defaultPrevented).toBe(true);
    expect(drag('drop', p.outside, ['text/uri-list', 'text/plain']).defaultPrevented).toBe(true);
  });

  it('leaves drop zones working: the zone gets the events first and opens the file, its copy cursor stays', () => {
    const p = page();
    expect(drag('dragenter', p.zoneChild, ['Files'], [FILE]).defaultPrevented).toBe(true);
    expect(p.drop.dragging.value).toBe(true);
    const over = drag('dragover', p.zoneChild, ['Files'], [FILE]);
    expect(over.defaultPrevented).toBe(true);
    expect(over.dataTransfer.dropEffect).toBe('copy');
    const dropped = drag('drop', p.zoneChild, ['Files'], [FILE]);
    expect(dropped.defaultPrevented).toBe(true);
    expect(dropped.stopped).toBe(false);
    expect(p.opened).toEqual([FILE]);
    expect(p.drop.dragging.value).toBe(false);
  });

  it('leaves plain text drags alone, and a link dropped into a text field goes into the field', () => {
    const p = page();
    expect(drag('dragover', p.outside, ['text/plain']).defaultPrevented).toBe(false);
    expect(drag('drop', p.field, ['text/plain']).defaultPrevented).toBe(false);
    expect(drag('dragover', p.field, ['text/uri-list', 'text/plain']).defaultPrevented).toBe(false);
    expect(drag('drop', p.field, ['text/uri-list', 'text/plain']).defaultPrevented).toBe(false);
    // a file dropped on a text field is still no navigation
    expect(drag('drop', p.field, ['Files'], [FILE]).defaultPrevented).toBe(true);
  });

  it('uninstalls', () => {
    const p = page();
    p.uninstall();
    expect(drag('drop', p.outside, ['Files'], [FILE]).defaultPrevented).toBe(false);
  });
});
