/**
 * Re-renders a results folder's latest.md (and the figures in latest.json) from its latest.json, e.g.
 * after a change of the report layout:  npx tsx bench/tools/render.ts [bench/results]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFigures, renderMarkdown, type BenchResults } from '../lib/report.ts';

const dir = process.argv[2] ?? 'bench/results';
const results = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as BenchResults;
results.figures = buildFigures(results);
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, 'latest.md'), renderMarkdown(results));
console.log(renderMarkdown(results, { tableOnly: true }));
