/**
 * @file `npm run bench -- NAME [options]`: runs one benchmark and prints its side-by-side table.
 */
import { benchCnn } from './cnn';
import { benchDeblur } from './deblur';
import { benchDisplay } from './display';
import { benchSr } from './sr';
import { benchTrack } from './track';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = { cnn: benchCnn, track: benchTrack, deblur: benchDeblur, sr: benchSr, display: benchDisplay };
const [name, ...rest] = process.argv.slice(2);
const fn = name ? BENCHES[name] : undefined;
if (!fn) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
  process.exit(2);
}
await fn(rest);
