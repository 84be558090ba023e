import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { relativeHref } from './html-figures';

describe('relativeHref (data links of the HTML report)', () => {
  // A link must lead, from the HTML file, to exactly the file written beside it, whatever the report was named.
  it.each(['Sample #3_data/u.csv', 'scan:2_data/maps/v.tif', 'what?_data/a b%20c.csv', 'µ-scan_data/profile (1).csv'])('%s', (rel) => {
    const html = pathToFileURL('/reports/any.html');
    const target = new URL(relativeHref(rel), html);
    expect(fileURLToPath(target)).toBe(`/reports/${rel}`);
    expect(target.hash).toBe('');
    expect(target.search).toBe('');
  });
});
